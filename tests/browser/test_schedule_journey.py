"""A lead sets a monthly schedule on the rounds page and sees the rounds to come."""

import pytest
from playwright.sync_api import expect

from assessments.models import Schedule
from tests.browser.a11y import check_page

pytestmark = pytest.mark.browser


def test_lead_sets_a_schedule_and_sees_the_next_rounds(page, demo, sign_in, screenshot):
    sign_in(page, demo["lead"])
    page.goto("/rounds/")
    # The demo's quarterly schedule is there, with its next round.
    expect(page.locator("#schedules")).to_contain_text("DevOps check")
    expect(page.get_by_role("heading", name="Next rounds to come")).to_be_visible()

    page.locator("summary", has_text="Set a schedule").click()
    form = page.locator("form", has=page.get_by_role("button", name="Save the schedule"))
    form.get_by_label("Name").fill("Checkout monthly pulse")
    form.get_by_label("Checkout").check()
    form.get_by_label("Cadence").select_option("monthly")
    form.get_by_label("Days open").fill("7")
    form.get_by_role("button", name="Save the schedule").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Schedule “Checkout monthly pulse” saved. Its next round opens"
    )
    schedule = Schedule.objects.get(name="Checkout monthly pulse")
    assert schedule.cadence == "monthly" and schedule.open_days == 7
    row = page.get_by_role("row", name="Checkout monthly pulse")
    expect(row).to_contain_text("every month · open 7 days")
    check_page(page)
    screenshot(page, "schedules")

    row.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("status")).to_contain_text("paused: it opens no new round until you resume it")
    expect(page.get_by_role("row", name="Checkout monthly pulse")).to_contain_text("paused")
