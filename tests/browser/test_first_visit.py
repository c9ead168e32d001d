"""A new team's first visit: every page says what comes next instead of showing an empty frame,
and results below the anonymity threshold say how many came in and why they stay hidden."""

import re

import pytest
from playwright.sync_api import expect

from assessments.services import round_close
from tests.browser.a11y import check_page
from tests.factories import MembershipFactory, answer_all, make_model, make_round

pytestmark = pytest.mark.browser


def visit(page, path: str, *texts: str) -> None:
    page.goto(path)
    for text in texts:
        expect(page.get_by_text(text)).to_be_visible()
    check_page(page)


def test_lead_of_a_new_team_is_guided_on_every_page(page, live_server, team, lead, sign_in):
    sign_in(page, lead)
    visit(
        page,
        "/",
        "No survey is open for your teams right now. When your lead opens a round, it shows up here.",
        "No open action is yours.",
        "no results yet",
    )
    visit(page, "/rounds/", "No rounds yet. Start the first one with the form")
    visit(page, "/teams/checkout/", "No closed round yet. When your team's first round closes")
    visit(page, "/teams/checkout/actions/", "No action yet. Start with a weak dimension of your results")
    visit(page, "/teams/checkout/delivery/", "No production deployments in the last 90 days, so there is no")
    visit(page, "/org/", "No round has closed yet. Once the first round closes")

    # Two answers are fewer than k = 3: the round closes, and its results stay hidden.
    round_ = make_round(model=make_model(), teams=[team], name="First pulse")
    for _ in range(2):
        answer_all(round_, team, MembershipFactory(team=team).user, "4")
    round_close(round=round_, by=lead)
    visit(
        page,
        "/teams/checkout/",
        "2 responses came in. Results stay hidden below 3 responses, so that no one's answers can be "
        "recognised.",
    )
    expect(page.locator(".level-badge")).to_have_count(0)
    visit(page, "/org/")
    expect(page.get_by_role("row", name=re.compile("Checkout"))).to_contain_text(
        "hidden: 2 responses, results need 3"
    )


def test_unknown_address_gets_a_page_that_leads_back(page, live_server, member, sign_in):
    sign_in(page, member)
    page.goto("/teams/no-such-team/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nothing here")
    check_page(page)
    page.get_by_role("link", name="Back home").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
