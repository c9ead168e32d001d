"""A group manager compares teams: filters and sorts the org heatmap, and downloads it as CSV."""

import csv
import re

import pytest
from playwright.sync_api import expect

from assessments.models import Round
from tests.browser.a11y import assert_charts_described, check_page

pytestmark = pytest.mark.browser


def team_names(page) -> list[str]:
    return [
        name.strip() for name in page.locator(".heatmap tbody th[scope=row] > :first-child").all_inner_texts()
    ]


def overall_indexes(page) -> list[int]:
    return [
        int(cell) for cell in page.locator(".heatmap tbody td.cell:first-of-type strong").all_inner_texts()
    ]


def test_manager_filters_sorts_and_downloads_the_heatmap(page, demo, sign_in, screenshot):
    sign_in(page, demo["manager"])
    page.goto("/")
    page.get_by_role("link", name="Organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation")
    # The org's numbers over all twelve teams; the rows of the four teams the manager runs.
    expect(page.locator(".heatmap tbody tr")).to_have_count(4)
    expect(page.get_by_text("The table shows the 4 teams whose results you may open.")).to_be_visible()
    assert assert_charts_described(page) >= 2  # org trend, teams per level, culture and delivery
    check_page(page)
    # Each cell's level and change ("L4 no change", "L4 ▼ −11") reads on one line.
    wrapped = page.locator(".heatmap td.cell small").evaluate_all(
        "els => els.filter((el) => el.getBoundingClientRect().height"
        " > 1.5 * parseFloat(getComputedStyle(el).lineHeight)).map((el) => el.textContent)"
    )
    assert wrapped == []
    screenshot(page, "org-heatmap")

    page.get_by_label("Group", exact=True).select_option(label="Payments")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"group=payments"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments")
    assert sorted(team_names(page)) == ["Billing", "Checkout", "Fraud Signals", "Ledger"]

    overall = page.locator("table.heatmap").get_by_role("columnheader", name="Overall")
    overall.get_by_role("link").click()
    expect(overall).to_have_attribute("aria-sort", "ascending")
    assert overall_indexes(page) == sorted(overall_indexes(page))
    overall.get_by_role("link").click()
    expect(overall).to_have_attribute("aria-sort", "descending")
    descending = overall_indexes(page)
    assert descending == sorted(descending, reverse=True) and len(descending) == 4
    shown = team_names(page)
    check_page(page)

    # An earlier round, in which Ledger stayed below the anonymity threshold.
    thin = Round.objects.get(team_scores__team__slug="ledger", team_scores__hidden=True)
    page.get_by_label("Round", exact=True).select_option(label=thin.name)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"round={thin.pk}"))
    expect(page.get_by_role("row", name=re.compile("Ledger"))).to_contain_text(
        "hidden: 2 responses, results need 3"
    )
    expect(page.get_by_label("Group", exact=True)).to_have_value("payments")
    expect(overall).to_have_attribute("aria-sort", "descending")
    shown = team_names(page)
    check_page(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download this table (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["team"] for row in rows] == [name.lower().replace(" ", "-") for name in shown]
    ledger = next(row for row in rows if row["team"] == "ledger")
    assert ledger["overall_index"] == "hidden" and ledger["responses"] == "2"
