"""Charts as a person sees them: no text cut at the picture's edge, a legend entry for each line.

Measured in Chromium (text sizes are the browser's, not pygal's estimates) on the pages with the
most charts: a team dashboard with its delivery panel, and the org dashboard, at desktop width.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Per chart: its name, the texts that reach outside the drawing, its legend entries and its lines.
_CHARTS = """
() => [...document.querySelectorAll("figure.chart svg")].map((svg) => {
  const box = svg.getBoundingClientRect();
  const outside = [...svg.querySelectorAll("text")]
    .filter((t) => t.textContent.trim() && !t.closest(".tooltip"))
    .filter((t) => {
      const r = t.getBoundingClientRect();
      const sideways = r.left < box.left - 1 || r.right > box.right + 1;
      return r.width && (sideways || r.top < box.top - 1 || r.bottom > box.bottom + 1);
    })
    .map((t) => t.textContent.trim());
  return {
    title: svg.querySelector("title").textContent,
    outside,
    legend: [...svg.querySelectorAll(".legends .legend text")].map((t) => t.textContent),
    lines: svg.querySelectorAll('g[class="plot"] > g.series').length,
    line_chart: svg.querySelector(".line-graph") !== null,
  };
})
"""


def assert_charts_fit(page) -> list[dict]:
    charts = page.evaluate(_CHARTS)
    assert charts, f"{page.url}: no chart"
    for chart in charts:
        assert not chart["outside"], f"{page.url}: {chart['title']!r} cuts {chart['outside']}"
        if chart["line_chart"] and chart["legend"]:
            assert len(chart["legend"]) == chart["lines"], chart
            assert not any(name.endswith("…") for name in chart["legend"]), chart
    return charts


def test_team_dashboard_charts_fit_their_pictures(page, demo, sign_in, screenshot):
    sign_in(page, demo["lead"])
    page.goto("/teams/checkout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    page.get_by_text(re.compile(r"Answer distribution of \d+ questions")).click()
    charts = assert_charts_fit(page)
    trend = next(chart for chart in charts if chart["title"] == "Index per dimension over rounds")
    assert len(trend["legend"]) == trend["lines"] >= 6  # one entry per dimension
    page.locator("#trend-title").locator("xpath=ancestor::figure").scroll_into_view_if_needed()
    screenshot(page, "team-trend", from_top=False)
    page.goto("/teams/checkout/delivery/")
    assert len(assert_charts_fit(page)) == 4
    page.locator("#lead-time-title").locator("xpath=ancestor::figure").scroll_into_view_if_needed()
    page.mouse.wheel(0, 300)
    screenshot(page, "delivery-charts", from_top=False)


def test_org_dashboard_charts_fit_their_pictures(page, demo, sign_in, screenshot):
    sign_in(page, demo["manager"])
    page.goto("/org/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation")
    assert len(assert_charts_fit(page)) >= 2
    page.locator("#culture-delivery-heading").scroll_into_view_if_needed()
    screenshot(page, "org-charts", from_top=False)
