"""Survey charts: well-formed SVG, series names and values present, no URL but namespaces, no script."""

import math
import re
import xml.etree.ElementTree as ET

import pytest

from portal.charts import survey as charts

SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
LEVELS = {1: "Initial", 2: "Managed", 3: "Defined", 4: "Measured", 5: "Optimising"}


def all_charts():
    return [
        charts.radar(
            ["Culture", "CI/CD"],
            [("This round", [55.0, 70.0]), ("Org median", [50.0, 60.0])],
            title="Radar",
            slug="r",
        ),
        charts.trend(
            ["Q1", "Q2", "Q3"],
            {"Culture": [40.0, None, 52.5], "CI/CD": [50.0, 55.0, 60.0]},
            title="Trend",
            slug="t",
        ),
        charts.likert(
            [charts.LikertRow("We ship small changes", [1, 0, 2, 3, 4, 5, 1], 1, 2)],
            ["SD", "D", "sD", "N", "sA", "A", "SA"],
            title="Answers",
            slug="l",
        ),
        charts.level_distribution({1: 2, 3: 5}, LEVELS, title="Levels", slug="d"),
        charts.sparkline([40.0, None, 55.0], title="Checkout", slug="s"),
    ]


@pytest.mark.parametrize("chart", all_charts(), ids=lambda c: c.slug)
def test_chart_is_well_formed_safe_svg(chart):
    root = ET.fromstring(chart.svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script" not in chart.svg.lower()
    assert set(re.findall(r"https?://[^\"'\s<>]+", chart.svg)) <= SVG_NAMESPACES
    assert root.find("{http://www.w3.org/2000/svg}title").text == chart.title
    assert root.find("{http://www.w3.org/2000/svg}desc").text


def test_radar_names_series_and_values():
    chart = all_charts()[0]
    assert "This round" in chart.svg and "Org median" in chart.svg
    assert chart.table.rows == [["Culture", "55", "50"], ["CI/CD", "70", "60"]]


def test_radar_leaves_a_series_with_a_missing_value_to_the_table():
    chart = charts.radar(["A", "B"], [("Now", [50.0, 60.0]), ("Before", [40.0, None])], title="R", slug="r2")
    assert "Before" not in chart.svg.split("</desc>", 1)[1]
    assert ["B", "60", "–"] in chart.table.rows


def test_trend_has_gaps_and_names():
    chart = all_charts()[1]
    assert "Culture" in chart.svg and "CI/CD" in chart.svg
    assert chart.table.rows[1] == ["Q2", "–", "55"]
    assert "Culture from 40 to 52" in chart.description


def test_likert_counts_in_table_including_dont_know_and_na():
    chart = all_charts()[2]
    assert chart.table.rows == [["We ship small changes", "1", "0", "2", "3", "4", "5", "1", "1", "2"]]
    assert "1 · SD" in chart.svg and "7 · SA" in chart.svg


def test_likert_shortens_long_questions_in_the_drawing_only():
    long = "x" * 300
    chart = charts.likert(
        [charts.LikertRow(long, [1, 1, 1, 1, 1])], ["a", "b", "c", "d", "e"], title="L", slug="l2"
    )
    assert chart.table.rows[0][0] == long
    assert long not in chart.svg


def test_level_distribution_prints_counts():
    chart = all_charts()[3]
    assert ["3 · Defined", "5"] in chart.table.rows
    assert "level 3: 5 teams" in chart.description


# --- legends, labels and axes that fit (issue 13) ----------------------------------------------

DIMENSION_NAMES = [
    "Culture & collaboration",
    "Continuous integration & delivery",
    "Testing in production & progressive delivery",
    "Resilience & managing failure",
    "Security",
    "Observability",
    "Lean flow",
    "Learning & improvement",
]


SVG = "{http://www.w3.org/2000/svg}"


def _translate(element) -> tuple[float, float]:
    x, y = re.search(r"translate\(([-\d.]+),? ([-\d.]+)\)", element.get("transform")).groups()
    return float(x), float(y)


def _legend_texts(svg: str) -> list[str]:
    group = ET.fromstring(svg).find(f".//{SVG}g[@class='legends']")
    return [text.text for text in group.iter(f"{SVG}text")]


def _legend_bottom(svg: str) -> float:
    """The lowest point (in the SVG's own units) that a legend entry's box reaches."""
    group = ET.fromstring(svg).find(f".//{SVG}g[@class='legends']")
    top = _translate(group)[1]
    return top + max(float(rect.get("y")) + float(rect.get("height")) for rect in group.iter(f"{SVG}rect"))


@pytest.mark.parametrize("count", [2, 5, 7, 8])
def test_trend_legend_lists_every_series_uncut_inside_the_picture(count):
    names = DIMENSION_NAMES[:count]
    chart = charts.trend(
        [f"2025 Q{i} pulse" for i in range(1, 5)], {n: [50, 60, None, 70] for n in names}, title="T", slug="t"
    )
    assert _legend_texts(chart.svg) == names  # as many entries as lines, each name whole
    height = float(ET.fromstring(chart.svg).get("viewBox").split()[3])
    assert _legend_bottom(chart.svg) <= height


def test_org_trend_draws_overall_and_eight_dimensions_in_nine_distinct_colours():
    names = ["Overall", *DIMENSION_NAMES]
    chart = charts.trend(["2026 Q1", "2026 Q2"], {n: [50, 60] for n in names}, title="T", slug="t")
    found = dict(re.findall(r"\.color-(\d+)[^{]*\{stroke:#([0-9a-f]{6})", chart.svg, re.IGNORECASE))
    rgb = [tuple(int(found[str(i)][p : p + 2], 16) for p in (0, 2, 4)) for i in range(len(names))]
    closest = min(math.dist(a, b) for n, a in enumerate(rgb) for b in rgb[n + 1 :])
    assert closest > 60  # no two lines in (nearly) the same colour


def test_trend_leaves_room_for_a_long_last_round_name():
    rounds = ["2026 Q1", "2026 Q2", "2026 Q4 pulse, the long one"]
    chart = charts.trend(rounds, {"Security": [1, 2, 3]}, title="T", slug="t")
    root = ET.fromstring(chart.svg)
    width = float(root.get("viewBox").split()[2])
    left = _translate(root.find(f".//{SVG}g[@class='plot']"))[0]
    last = next(t for t in root.iter(f"{SVG}text") if t.text == rounds[-1])
    # Centred on the last point: half the label (pygal's estimate, 0.6 em a letter) must fit.
    assert left + float(last.get("x")) + len(rounds[-1]) * 0.6 * 13 / 2 <= width


def test_teams_per_level_counts_in_whole_teams():
    chart = charts.level_distribution({2: 1, 3: 2, 4: 1}, LEVELS, title="Teams per level", slug="levels")
    axis = ET.fromstring(chart.svg).find(f".//{SVG}g[@class='axis x always_show']")
    ticks = [text.text for text in axis.iter(f"{SVG}text")]
    assert ticks == ["0", "1", "2"]


def test_level_counts_are_written_with_plurals():
    chart = charts.level_distribution({4: 1, 3: 2}, LEVELS, title="Teams per level", slug="levels")
    assert "level 4: 1 team," in chart.description and "level 3: 2 teams" in chart.description
    assert "1 teams" not in chart.description


@pytest.mark.parametrize(
    ("maximum", "ticks"), [(0, [0, 1]), (2, [0, 1, 2]), (10, list(range(11))), (23, [0, 5, 10, 15, 20, 25])]
)
def test_whole_ticks(maximum, ticks):
    assert charts.whole_ticks(maximum) == ticks
