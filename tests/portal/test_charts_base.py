import re
import xml.etree.ElementTree as ET

import pygal
from django.template import Context, Template

from portal.charts import Table, base_config, render


def sample_chart():
    chart = pygal.Line(**base_config(title="Trend"))
    chart.x_labels = ["Q1", "Q2"]
    chart.add("Culture", [40.0, 52.5])
    return render(
        chart, title="Trend", description="Culture rose", table=Table(["round", "Culture"]), slug="trend"
    )


def test_chart_svg_is_well_formed_with_title_and_desc():
    root = ET.fromstring(sample_chart().svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "Trend"
    assert root.find(f"{ns}desc").text == "Culture rose"
    assert root.get("role") == "img"


def test_chart_svg_has_no_script_and_no_url_but_namespaces():
    svg = sample_chart().svg
    assert "<script" not in svg
    urls = set(re.findall(r"https?://[^\"'\s<>]+", svg))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_chart_template_gives_style_the_csp_nonce_and_renders_the_table():
    chart = sample_chart()
    chart.table.rows.append(["Q1", "40.0"])
    context = Context({"chart": chart, "csp_nonce": "abc"})
    html = Template('{% include "includes/_chart.html" %}').render(context)
    assert '<style nonce="abc"' in html
    assert '<th scope="row">Q1</th><td>40.0</td>' in html


def test_two_charts_share_only_the_ids_made_from_their_slug():
    # pygal names legend entries activate-serie-0, -1, … in every chart; ids must be unique on a page.
    first, second = (set(re.findall(r'\sid="([^"]+)"', sample_chart().svg)) for _ in range(2))
    assert first & second == {"trend-title", "trend-desc"}
