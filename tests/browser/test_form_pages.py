"""The pages that are one form each pass the same checks as the journeys' pages."""

import pytest
from playwright.sync_api import expect

from improvements import services
from tests.browser.a11y import check_page

pytestmark = pytest.mark.browser


def test_lead_fills_the_form_pages(page, live_server, team, lead, sign_in):
    action = services.action_create(team=team, title="Fewer handovers", by=lead, owner=lead)
    experiment = action.experiments.create(step="Pair on releases", expected="No waiting", created_by=lead)
    sign_in(page, lead)
    for path in (
        "/surveys/",
        "/accounts/password/",
        "/teams/checkout/actions/limits/",
        f"/actions/{action.pk}/edit/",
        f"/actions/{action.pk}/experiments/{experiment.pk}/",
        "/teams/checkout/delivery/import/",
    ):
        page.goto(path)
        check_page(page)

    page.goto("/teams/checkout/actions/limits/")
    page.get_by_label("Do").fill("2")
    page.get_by_role("button", name="Save limits").click()
    expect(page.get_by_role("status")).to_contain_text("WIP limits saved.")
    page.goto(f"/actions/{action.pk}/edit/")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Nothing was saved: please correct the marked fields.")
    check_page(page)
