"""The demo team holds its review meeting after a round: reads the weakest dimension, looks back
at last round's actions, counts hands, picks a focus and starts an action — without JavaScript
being needed for any of it."""

import re

import pytest
from playwright.sync_api import expect

from improvements.models import Action, TeamReview
from tests.browser.a11y import check_page

pytestmark = pytest.mark.browser


def test_the_team_runs_its_review_from_results_to_an_action(page, demo, sign_in, screenshot):
    sign_in(page, demo["member"])
    page.goto("/teams/checkout/")
    page.get_by_role("link", name=re.compile("Open the team review of")).click()
    expect(page).to_have_url(re.compile(r"/teams/checkout/review/\?round=\d+"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Team review · Checkout")

    rows = page.locator("table").first.locator("tbody tr")
    indexes = [int(text) for text in rows.locator("td:nth-child(2)").all_inner_texts()]
    assert indexes == sorted(indexes), "weakest first"
    weakest = rows.first.locator("th a").inner_text()
    expect(page.locator("details[open] summary").first).to_contain_text(weakest)
    check_page(page)
    screenshot(page, "team-review")

    # Weakest agreement first: the same dimensions, the least agreed on at the top.
    page.get_by_role("link", name="weakest agreement first").click()
    expect(page.get_by_role("heading", name="1. Where we are, weakest agreement first")).to_be_visible()
    values = [
        float(re.search(r"\((\d\.\d\d)\)", text).group(1))
        for text in page.locator("table").first.locator("tbody tr td:nth-child(5)").all_inner_texts()
        if re.search(r"\((\d\.\d\d)\)", text)
    ]
    assert values and values == sorted(values), values
    page.get_by_role("link", name="weakest index first").click()

    focus = page.locator("form", has=page.get_by_role("button", name="Save the review"))
    focus.get_by_label(f"Hands for {weakest}").fill("4")
    focus.get_by_label(weakest, exact=True).check()
    focus.get_by_label("Decisions").fill("Work on this until the next round.")
    focus.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("status")).to_contain_text("The review is saved.")
    expect(page.locator(".review-record")).to_contain_text(f"Focus: {weakest}")
    review = TeamReview.objects.get(team__slug="checkout")
    assert list(review.votes.values()) == [4] and len(review.focus) == 1

    form = page.locator("form", has=page.get_by_role("button", name="Put it in Plan"))
    assert weakest in form.get_by_label("Dimension").locator("option:checked").inner_text()
    form.get_by_label("Title").fill("One small experiment")
    form.get_by_role("button", name="Put it in Plan").click()
    expect(page.get_by_role("status")).to_contain_text("“One small experiment” is on the board, in Plan.")
    expect(page.get_by_role("region", name="5. Actions from this review")).to_contain_text(
        "One small experiment"
    )
    action = Action.objects.get(title="One small experiment")
    assert action.source_round_id == review.round_id and action.dimension.name == weakest
    check_page(page)
