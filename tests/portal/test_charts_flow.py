import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from improvements.flow import FLOW_STAGES, FlowWeek
from improvements.models import stage_labels
from portal.charts.flow import cumulative_flow_chart, throughput_chart


def weeks():
    start = datetime(2026, 1, 4, tzinfo=UTC)
    return [
        FlowWeek(ending=start + timedelta(weeks=n), counts={**dict.fromkeys(FLOW_STAGES, 1), "done": n})
        for n in range(4)
    ]


def test_cumulative_flow_is_an_accessible_svg_without_script():
    chart = cumulative_flow_chart(weeks(), labels=stage_labels())
    root = ET.fromstring(chart.svg)
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Cumulative flow"
    assert "<script" not in chart.svg
    assert "style=" not in chart.svg  # the CSP refuses inline style attributes
    assert set(re.findall(r"https?://[^\"'\s<>]+", chart.svg)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert "Now: Plan 1, Do 1, Check 1, Act 1, Done 3" in chart.description
    assert chart.table.columns == ["week ending", "Plan", "Do", "Check", "Act", "Done"]
    assert chart.table.rows[-1] == ["25 Jan 2026", "1", "1", "1", "1", "3"]


def test_throughput_chart_has_a_row_per_month_and_the_total():
    chart = throughput_chart([(date(2026, 1, 1), 2), (date(2026, 2, 1), 0), (date(2026, 3, 1), 5)])
    ET.fromstring(chart.svg)
    assert "7 in all" in chart.description
    assert chart.table.rows == [["January 2026", "2"], ["February 2026", "0"], ["March 2026", "5"]]


def test_charts_of_empty_data_still_render():
    assert "<svg" in cumulative_flow_chart([], labels=stage_labels()).svg
    assert "<svg" in throughput_chart([]).svg
