"""Delivery charts from plain data: accessible, script-free SVG with the numbers in a table."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from delivery import dora
from portal.charts.delivery import (
    CultureDeliveryPoint,
    culture_delivery_scatter,
    delivery_trend_charts,
    deployments_chart,
    lead_time_chart,
)

NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def months(deployments_per_month=(4, 0, 6)):
    records = []
    periods = dora.month_periods(NOW, len(deployments_per_month))
    for period, count in zip(periods, deployments_per_month, strict=True):
        for n in range(count):
            deployed = period.start + timedelta(days=1 + n)
            records.append(
                dora.DeploymentRecord(
                    key=(period.start, n),
                    deployed_at=deployed,
                    first_commit_at=deployed - timedelta(hours=6 + n),
                    succeeded=n != 1,
                    is_rework=n == 2,
                )
            )
    return [dora.compute_keys(records, [], period) for period in periods]


def scatter(points):
    return culture_delivery_scatter(
        points, culture_title="culture", delivery_title="throughput", title="Culture and throughput"
    )


def assert_accessible(chart):
    root = ET.fromstring(chart.svg)
    assert root.find(f"{SVG}title").text == chart.title
    assert root.find(f"{SVG}desc").text == chart.description
    assert "<script" not in chart.svg
    urls = set(re.findall(r"https?://[^\"'\s<>]+", chart.svg))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_trend_charts_are_four_accessible_charts_with_a_row_per_month():
    charts = delivery_trend_charts(months())
    assert [chart.slug for chart in charts] == ["deployments", "lead-time", "stability", "recovery"]
    for chart in charts:
        assert_accessible(chart)
        assert len(chart.table.rows) == 3


def test_deployments_chart_counts_production_deployments_and_remediations_apart_from_attempts():
    # Per month the second run failed before production (an attempt) and the third was rework,
    # which remediated the first: DORA 2024's change failure.
    chart = deployments_chart(months())
    assert chart.description == (
        "3 production deployments in 2 full months, 1 of them needed remediation."
    )  # the partial month is not summed with full ones
    assert [row[1:] for row in chart.table.rows] == [["3", "1", "1"], ["0", "0", "0"], ["5", "1", "1"]]


def test_the_partial_month_is_drawn_apart_from_the_full_months():
    chart = lead_time_chart(months((3, 3, 3)))
    assert "this month so far (partial)" in chart.svg
    stability = delivery_trend_charts(months((3, 3, 3)))[2]
    assert stability.svg.count("this month so far (partial)") == 2  # one per line


def test_months_without_data_say_so_in_the_table():
    chart = lead_time_chart(months((0, 0, 2)))
    assert chart.table.rows[0][1] == "no data"
    assert chart.table.rows[2][1:] == ["6", "1"]


def test_charts_work_without_any_deployment():
    for chart in delivery_trend_charts(months((0, 0))):
        assert_accessible(chart)


def test_scatter_takes_plain_tuples_and_names_every_team_in_the_table():
    points = [("Checkout", 72.5, 80.0), ("Ledger", 35.0, 40.2), CultureDeliveryPoint("Billing", 55.0, 61.0)]
    chart = scatter(points)
    assert_accessible(chart)
    assert [row[0] for row in chart.table.rows] == ["Billing", "Checkout", "Ledger"]
    assert chart.table.rows[1] == ["Checkout", "72.5", "0", "80.0", "0"]
    assert "3 teams." in chart.description
    assert "strong, positive" in chart.description
    assert "association, not cause" in chart.description
    assert re.search(r'<text [^>]*class="label">Checkout<', chart.svg)  # printed beside its dot


@pytest.mark.parametrize(
    ("points", "words"),
    [
        ([("A", 10, 90), ("B", 50, 50), ("C", 90, 10)], "strong, negative"),
        ([("A", 10, 50), ("B", 50, 50), ("C", 90, 50)], None),  # delivery does not vary: no r
        ([("A", 10, 50)], None),
        ([], None),
    ],
)
def test_scatter_describes_the_relation_only_when_there_is_one(points, words):
    chart = scatter(points)
    if words:
        assert words in chart.description
    else:
        assert "Correlation" not in chart.description


def test_many_teams_are_not_labelled_on_the_chart():
    points = [(f"Team {n}", n, n * 0.8 + 5) for n in range(40)]
    chart = scatter(points)
    assert not re.search(r'<text [^>]*class="label">Team 7<', chart.svg)
    assert len(chart.table.rows) == 40


def test_charts_carry_no_style_attribute_the_csp_would_block():
    charts = [*delivery_trend_charts(months()), scatter([("A", 1, 2), ("B", 3, 5)])]
    for chart in charts:
        assert "style=" not in chart.svg


def test_legends_stay_inside_the_picture():
    for chart in delivery_trend_charts(months()):
        height = float(re.search(r'viewBox="0 0 [0-9.]+ ([0-9.]+)"', chart.svg).group(1))
        legend_y = float(re.search(r'translate\([0-9.]+, ([0-9.]+)\)" class="legends"', chart.svg).group(1))
        assert legend_y + 14 <= height, chart.slug


# --- axes and labels that read (issue 13) ------------------------------------------------------


def _x_labels(chart) -> list[str]:
    root = ET.fromstring(chart.svg)
    axis = root.find(f".//{SVG}g[@class='axis x']")
    return [text.text for text in axis.iter(f"{SVG}text")]


def _y_labels(chart) -> list[str]:
    root = ET.fromstring(chart.svg)
    axis = next(g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("axis y"))
    return [text.text for text in axis.iter(f"{SVG}text")]


def test_the_current_month_is_marked_partial():
    chart = deployments_chart(months())
    assert [row[0] for row in chart.table.rows] == ["April 2025", "May 2025", "June 2025 (partial)"]
    assert _x_labels(chart)[-1] == "Jun (partial)"


def test_a_year_of_months_names_every_other_month_level_and_short():
    chart = deployments_chart(months((1,) * 12))
    labels = _x_labels(chart)
    assert labels == ["Aug 2024", "Oct", "Dec", "Feb 2025", "Apr", "Jun (partial)"]
    assert "rotate" not in ET.tostring(ET.fromstring(chart.svg).find(f".//{SVG}g[@class='axis x']")).decode()


def test_first_month_and_a_new_year_carry_the_year():
    chart = deployments_chart(months((1,) * 7))
    assert _x_labels(chart) == ["Dec 2024", "Jan 2025", "Feb", "Mar", "Apr", "May", "Jun (partial)"]


def test_lead_time_axis_starts_at_zero():
    chart = lead_time_chart(months((0, 3, 2)))  # medians of 7 and 6.5 hours
    assert _y_labels(chart)[0] in {"0", "0.0"}


def test_scatter_prints_no_name_over_another():
    points = [("Checkout", 50.0, 50.0), ("Payments", 51.0, 50.5), ("Ledger", 10.0, 90.0)]
    chart = scatter(points)
    printed = re.findall(r'<text [^>]*class="label">([^<]+)<', chart.svg)
    assert printed == ["Checkout", "Ledger"]  # Payments would sit on Checkout: the table names it
    assert [row[0] for row in chart.table.rows] == ["Checkout", "Ledger", "Payments"]
