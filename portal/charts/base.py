"""What every Gemba chart shares: a calm style, no script, a title, a description and a data table.

pygal writes an inline configuration ``<script>`` into every SVG even with ``js=[]``; the
Content-Security-Policy forbids inline scripts, so it is stripped here, with pygal's comments
(which carry URLs). pygal's ``<style>`` element stays: the ``chart_svg`` template filter gives it
the request's CSP nonce.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

import pygal.graph.graph
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language, gettext
from pygal.style import Style

from caching import remembered

# Okabe–Ito: distinguishable with every common colour-vision deficiency; then Paul Tol's wine and
# grey, so the org trend (overall plus eight dimensions) needs no colour twice (past its palette,
# pygal darkens the first colours, and the ninth line came out as black as the seventh).
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9",
    "#E69F00", "#000000", "#F0E442", "#882255", "#888888",
)  # fmt: skip
# Line series differ by dash pattern too, so colour is never the only carrier of meaning.
DASHES = ("", "8,4", "2,3", "10,3,2,3", "4,4", "1,5")

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#495057",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=13,
    tooltip_font_size=13,
    colors=PALETTE,
    opacity=".85",
    opacity_hover=".95",
    guide_stroke_color="#adb5bd",
    major_guide_stroke_color="#adb5bd",
)

# pygal writes four <desc> elements into every bar and dot for its tooltip script, which never
# runs here (stripped below; the CSP forbids it): skipping them draws a chart a quarter faster
# and a third smaller. The chart's own <title> and <desc>, and its data table, say it all.
pygal.graph.graph.Graph._tooltip_data = lambda self, *args, **kwargs: None

_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.DOTALL | re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# pygal names an untitled chart "Pygal"; ours carry their title and description on the <svg>.
_PYGAL_TITLE = re.compile(r"<title>Pygal</title>")
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
# pygal's hidden helper paths carry style="opacity: 0"; the CSP blocks style attributes, so they
# become the equivalent presentation attribute.
_OPACITY_STYLE = re.compile(r'style="opacity:\s*([0-9.]+)"')
# Ids pygal gives its legend entries for its (stripped) tooltip script: the same in every chart,
# so two charts on a page would repeat them, and a page's ids must be unique.
_LEGEND_ID = re.compile(r'\sid="activate-serie-\d+"')


@dataclass(frozen=True)
class Table:
    """The numbers behind a chart, for screen readers, print and anyone who prefers a table."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    svg: str
    title: str
    description: str
    table: Table
    slug: str = "chart"


def number(value: float | None, digits: int | None = 0) -> str:
    """A number as the page's language writes it ("3.4", "3,4"); "–" for none. ``digits`` None:
    as few as it takes ("3", "2.75")."""
    if value is None:
        return "–"
    if digits is None:
        return f"{value:g}".replace(".", get_format("DECIMAL_SEPARATOR"))
    return number_format(round(value, digits), decimal_pos=digits)


def _plain_number(value) -> str:
    return number(value, None) if isinstance(value, int | float) else str(value)


def base_config(**overrides) -> dict:
    """pygal options every chart starts from: no JavaScript, no XML declaration, our style."""
    config = {
        "js": [],
        "disable_xml_declaration": True,
        "style": STYLE,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "show_y_guides": True,
        "truncate_legend": -1,
        "truncate_label": -1,
        "margin": 16,
        "no_data_text": gettext("No data"),
        # The values pygal writes into the drawing, as the page's language writes numbers.
        "value_formatter": _plain_number,
        "x_value_formatter": _plain_number,
    }
    config.update(overrides)
    return config


def last_label_room(labels, *, rotated: bool = False) -> int:
    """Right margin in px that holds the last x label of a line chart, centred (or turned 20°) on
    the last point, which sits on the plot's right edge."""
    if not labels:
        return 16
    width = len(labels[-1]) * _char_width(STYLE.label_font_size)
    return int(max(16, width * (0.95 if rotated else 0.5) + 8))


def dash(index: int) -> dict:
    """The stroke style of the index-th line series."""
    pattern = DASHES[index % len(DASHES)]
    return {"width": 3, "dasharray": pattern} if pattern else {"width": 3}


def sanitise(svg: str) -> str:
    """Drop every <script> and comment pygal wrote, and the legend ids only its script used; keep
    the drawing and its style."""
    svg = _PYGAL_TITLE.sub("", _LEGEND_ID.sub("", _COMMENT.sub("", _SCRIPT.sub("", svg))))
    return _OPACITY_STYLE.sub(r'opacity="\1"', svg)


def legend_entries(chart) -> list[str]:
    """The names the chart's legend lists: every series with a title and its legend shown."""
    return [
        str(options["title"])
        for _values, options in chart.raw_series
        if options.get("title") is not None and options.get("show_legend", True)
    ]


def _char_width(font_size: float) -> float:
    return 0.6 * font_size  # pygal's own estimate (pygal.util.reverse_text_len)


def fit_legend(chart) -> None:
    """Give a bottom legend room for every entry, and as many columns as fit whole names.

    pygal reserves ``series // columns`` legend rows, while ``ceil(entries / columns)`` are drawn:
    the last entries fall below the picture unless the columns divide the series exactly. Here
    the columns are the most (up to the chart's setting) in which each name fits uncut, and the
    chart grows by the legend's height, so the plot keeps its size.
    """
    config = chart.config
    if not (config.show_legend and config.legend_at_bottom):
        return
    names = legend_entries(chart)
    if not names:
        return
    style = config.style or STYLE
    box = config.legend_box_size
    # The legend spans the plot's width; leave room for the y labels and title on the left.
    width = config.width - 2 * config.margin - 80
    longest = max(len(name) for name in names)
    columns = min(config.legend_at_bottom_columns or 3, len(names))
    while columns > 1 and (width / columns - box - 5) < longest * _char_width(style.legend_font_size):
        columns -= 1
    config.legend_at_bottom_columns = columns
    config.truncate_legend = -1 if columns > 1 or longest * _char_width(style.legend_font_size) < width else 0
    line = max(box, style.legend_font_size)
    order = len(chart.raw_series)
    reserved = round(order // columns - 1) * 1.5 * line + line
    needed = (math.ceil(len(names) / columns) - 1) * 1.5 * line + line + line / 2
    extra = max(0, math.ceil(needed - reserved))
    if extra:
        bottom = config.margin_bottom if config.margin_bottom is not None else config.margin
        config.margin_bottom = bottom + extra
    # The legend gets its own room below: the plot keeps the height it has without one.
    config.height += math.ceil(needed)


def render(chart, *, title: str, description: str, table: Table, slug: str = "chart") -> Chart:
    """Render a configured pygal chart into an accessible, script-free inline SVG."""
    fit_legend(chart)
    svg = sanitise(chart.render(is_unicode=True))
    title_id, desc_id = f"{slug}-title", f"{slug}-desc"
    opening = _SVG_OPEN.search(svg)
    if opening is None:  # pragma: no cover - pygal always writes an <svg> root
        raise ValueError("pygal did not produce an SVG document")
    tag = opening.group(0)
    labelled = tag[:-1] + f' role="img" aria-labelledby="{title_id} {desc_id}">'
    accessible = (
        f'{labelled}<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
    )
    svg = svg[: opening.start()] + accessible + svg[opening.end() :]
    return Chart(svg=svg, title=title, description=description, table=table, slug=slug)


# Bump when chart code changes what it draws, so no cached drawing from older code is served.
CHART_VERSION = 2
CHART_CACHE_SECONDS = 24 * 3600


def cached[**P](build: Callable[P, Chart]) -> Callable[P, Chart]:
    """Keep a chart function's drawings in the cache, keyed on everything it draws from.

    Charts are pure: the same data, options and language always give the same SVG. So the key
    is the data itself (caching.remembered: plain data only, refused otherwise) with the chart's
    name and the language, and a drawing is never stale: new numbers are a new key. pygal takes
    tens to hundreds of milliseconds per chart; a dashboard draws up to seven.
    """

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart:
        name = f"chart:{build.__module__}.{build.__qualname__}"
        depends_on = (CHART_VERSION, get_language(), args, kwargs)
        return remembered(name, depends_on, lambda: build(*args, **kwargs), seconds=CHART_CACHE_SECONDS)

    return wrapper
