"""A member turns a weak dimension into an action, records an experiment, and moves it across the
board, meeting the WIP limit on the way."""

import re

import pytest
from playwright.sync_api import expect

from improvements.models import Action
from tests.browser.a11y import check_page

pytestmark = pytest.mark.browser

TITLE = "Stop starting, start finishing"


def column(page, stage: str):
    return page.locator(f".board-column[data-stage={stage}]")


def test_member_starts_an_action_and_moves_it_across_the_board(page, demo, sign_in, screenshot):
    sign_in(page, demo["member"])
    page.goto("/")
    page.get_by_role("region", name="My teams").get_by_role("link", name="Checkout", exact=True).click()
    start = page.get_by_role("link", name=re.compile("Start an improvement action on")).first
    dimension = " ".join(start.inner_text().split()).removeprefix("Start an improvement action on ")
    start.click()

    expect(page).to_have_url(re.compile(r"/teams/checkout/actions/\?dimension=.+&round=\d+"))
    expect(page.get_by_text("Prefilled from the team's results")).to_be_visible()
    form = page.locator("form", has=page.get_by_role("button", name="Put it in Plan"))
    assert dimension in form.get_by_label("Dimension").locator("option:checked").inner_text()
    check_page(page)
    form.get_by_label("Title").fill(TITLE)
    form.get_by_role("button", name="Put it in Plan").click()

    expect(page.get_by_role("status")).to_contain_text(f"“{TITLE}” is on the board, in Plan.")
    expect(column(page, "plan").get_by_role("link", name=TITLE)).to_be_visible()
    column(page, "plan").get_by_role("link", name=TITLE).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_text("Record the next experiment").click()
    page.get_by_label("Step").fill("Pull a new card only when one is finished, for two weeks.")
    page.get_by_label("What we expect").fill("Fewer cards in Do, and each one done sooner.")
    page.get_by_role("button", name="Record experiment").click()
    expect(page.get_by_role("status")).to_contain_text("Experiment recorded.")
    expect(page.get_by_role("heading", name=re.compile("Cycle 1"))).to_be_visible()
    page.get_by_label("Move to").select_option(label="Do")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"“{TITLE}” moved to Do.")
    check_page(page)
    screenshot(page, "action")

    # Do is now full: the board refuses another card there and says why.
    page.get_by_role("link", name="Checkout's board").click()
    expect(column(page, "do").get_by_role("heading")).to_contain_text("3 of 3 · full")
    waiting = column(page, "plan").locator(".action-card").first
    waiting_title = waiting.get_by_role("link").first.inner_text()
    waiting.get_by_label(re.compile("Move .* to")).select_option(label="Do")
    waiting.get_by_role("button", name="Move").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Do is full: its WIP limit is 3. Finish or move an action out of it first."
    )
    expect(column(page, "plan").get_by_role("link", name=waiting_title)).to_be_visible()
    expect(column(page, "do").locator(".action-card")).to_have_count(3)
    # Said where the mover looks: on the card, inside the viewport, with the focus on it, and the
    # chosen stage still selected.
    refusal = waiting.locator(".move-refused")
    expect(refusal).to_be_in_viewport()
    expect(refusal).to_be_focused()
    expect(waiting.get_by_label(re.compile("Move .* to"))).to_have_value("do")
    screenshot(page, "action-board-refused", from_top=False)
    check_page(page)
    screenshot(page, "action-board")

    # Drag and drop moves through the same form; then on to Act and Done with the Move buttons.
    action = Action.objects.get(title=TITLE)
    page.locator(f"#action-{action.pk}").drag_to(column(page, "check"))
    expect(page.get_by_role("status")).to_contain_text(f"“{TITLE}” moved to Check.")
    for stage in ("Act", "Done"):
        card = page.locator(f"#action-{action.pk}")
        expect(card.get_by_label(re.compile("Move .* to"))).to_have_value(stage.lower())
        card.get_by_role("button", name="Move").click()
        expect(page.get_by_role("status")).to_contain_text(f"“{TITLE}” moved to {stage}.")
    expect(column(page, "done").get_by_role("link", name=TITLE)).to_be_visible()
    action.refresh_from_db()
    assert action.stage == "done"
    assert list(action.stage_changes.order_by("at", "pk").values_list("to_stage", flat=True)) == [
        "plan",
        "do",
        "check",
        "act",
        "done",
    ]
