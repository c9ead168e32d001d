"""At phone width (375 px) the survey, home and both dashboards fit the screen and stay usable."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_fits_width, check_page

pytestmark = pytest.mark.browser


def open_menu_and_go(phone, link: str) -> None:
    """The navigation folds into a menu button on a phone."""
    toggle = phone.get_by_role("button", name="Toggle navigation")
    expect(toggle).to_be_visible()
    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    phone.get_by_role("navigation", name="Main").get_by_role("link", name=link, exact=True).tap()


def test_member_uses_gemba_on_a_phone(phone, demo, sign_in, screenshot):
    sign_in(phone, demo["member"])
    phone.goto("/")
    assert_fits_width(phone)
    check_page(phone, focus=False)
    phone.get_by_role("link", name="Take the survey").tap()

    expect(phone.get_by_role("heading", level=1)).to_contain_text("Checkout")
    assert_fits_width(phone)
    check_page(phone, focus=False)
    first = phone.locator("fieldset.question").first
    option = first.locator("label").nth(5)
    option.scroll_into_view_if_needed()
    option.tap()
    expect(first.locator("input:checked")).to_have_count(1)
    expect(phone.locator("[data-answered]")).to_have_text("1")
    first.scroll_into_view_if_needed()
    screenshot(phone, "survey-phone", from_top=False)  # the sticky progress bar above a question
    save = phone.get_by_role("button", name="Save draft")
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    save.tap()
    expect(phone.get_by_role("status")).to_contain_text("Draft saved")
    assert_fits_width(phone)

    open_menu_and_go(phone, "Home")
    expect(phone.get_by_text("Draft saved")).to_be_visible()
    phone.get_by_role("region", name="My teams").get_by_role("link", name="Checkout", exact=True).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Checkout")
    assert_fits_width(phone)
    check_page(phone, focus=False)
    radar = phone.get_by_role("img", name=re.compile("Maturity per dimension"))
    radar.scroll_into_view_if_needed()
    expect(radar).to_be_in_viewport()
    assert radar.bounding_box()["width"] <= 375

    open_menu_and_go(phone, "Organisation")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Organisation")
    assert_fits_width(phone)
    check_page(phone, focus=False)
    # The heatmap is wider than a phone: it scrolls inside its own box, the page does not.
    box = phone.locator(".table-responsive", has=phone.locator("table.heatmap"))
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    phone.get_by_label("Group", exact=True).select_option(label="Platform")
    phone.get_by_role("button", name="Show").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Platform")
    assert_fits_width(phone)


# Text that the screen (or its scrolling box) cuts off: any element with text whose right edge
# lies past the viewport, or past the box of a .table-responsive around it (headings kept only
# for screen readers aside).
_CUT = """
(selector) => {
  const width = document.documentElement.clientWidth;
  const cut = [];
  document.querySelectorAll(selector).forEach((root) => {
    root.querySelectorAll("*").forEach((el) => {
      const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!text || !el.getClientRects().length || el.closest("thead, .visually-hidden")) return;
      const box = el.getBoundingClientRect();
      const scroller = el.closest(".table-responsive");
      const right = scroller ? Math.min(width, scroller.getBoundingClientRect().right) : width;
      const overflows = el.scrollWidth > el.clientWidth + 1;
      if (box.right > right + 1 || overflows) cut.push(el.textContent.trim().slice(0, 50));
    });
  });
  return cut;
}
"""


def test_phone_tables_are_not_cut_the_heatmap_keeps_its_team_column_and_the_survey_jumps_ahead(
    phone, demo, sign_in, screenshot
):
    sign_in(phone, demo["member"])
    phone.goto("/teams/checkout/")
    table = phone.locator("table.dimension-table")
    table.scroll_into_view_if_needed()
    assert phone.evaluate(_CUT, "table.dimension-table") == []
    assert_fits_width(phone)
    screenshot(phone, "dimensions-phone", from_top=False)

    phone.goto("/org/")
    box = phone.locator(".table-responsive", has=phone.locator("table.heatmap"))
    box.scroll_into_view_if_needed()
    first_team = box.locator("tbody th[scope=row]").first
    left = first_team.bounding_box()["x"]
    box.evaluate("el => { el.scrollLeft = 400; }")
    expect(first_team).to_be_in_viewport()
    assert abs(first_team.bounding_box()["x"] - left) < 1  # stays put while the cells scroll under it
    # Nothing of the scrolled cells shows through at the team column's edges.
    covered = first_team.evaluate(
        """th => { const b = th.getBoundingClientRect(); const y = b.top + b.height / 2;
                   return [b.left + 1, b.right - 2]
                     .every((x) => th.contains(document.elementFromPoint(x, y))); }"""
    )
    assert covered
    note = phone.locator("#heatmap-note")
    note.scroll_into_view_if_needed()
    assert phone.evaluate(_CUT, "#heatmap-note") == []
    assert note.bounding_box()["width"] <= 375
    screenshot(phone, "heatmap-phone", from_top=False)

    phone.goto("/surveys/")
    phone.get_by_role("link", name="Take the survey").first.tap()
    jump = phone.get_by_role("link", name="Next unanswered question")
    expect(jump).to_be_visible()
    first = phone.locator("fieldset.question").first
    expect(jump).to_have_attribute("href", f"#{first.get_attribute('id')}")
    # Answer only once the page's script follows the answers (on a busy machine it may come late).
    expect(phone.locator("form.survey")).to_have_attribute("data-live", "true")
    first.locator("label").nth(3).tap()
    expect(first.locator("input[type=radio]").nth(3)).to_be_checked()
    second = phone.locator("fieldset.question").nth(1)
    expect(jump).to_have_attribute("href", f"#{second.get_attribute('id')}")
    jump.tap()
    expect(second).to_be_in_viewport()
    expect(second).to_be_focused()
    screenshot(phone, "survey-jump-phone", from_top=False)
