"""Survey charts: radar, trends, Likert distributions, level distribution and sparklines.

Every builder takes plain data (names and numbers) and returns a ``Chart``: the inline SVG with
its title and description, and the table of the numbers behind it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pygal
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pygal.style import Style

from portal.charts.base import (
    STYLE,
    Chart,
    Table,
    base_config,
    cached,
    dash,
    last_label_room,
    number,
    render,
)

_fmt = number


@cached
def radar(
    dimensions: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, title: str, slug: str
) -> Chart:
    """Index 0–100 per dimension for a few series (this round, previous round, org median)."""
    chart = pygal.Radar(
        **base_config(title=title, range=(0, 100), fill=False, show_dots=True, dots_size=4, height=520)
    )
    chart.x_labels = list(dimensions)
    for i, (name, values) in enumerate(series):
        # pygal draws a missing value at the centre, which would read as 0: such a series
        # stays in the table only.
        if all(value is not None for value in values):
            chart.add(name, list(values), stroke_style=dash(i))
    description = "; ".join(
        f"{name}: " + ", ".join(f"{d} {_fmt(v)}" for d, v in zip(dimensions, values, strict=True))
        for name, values in series
    )
    table = Table(
        columns=[_("Dimension"), *[name for name, _values in series]],
        rows=[
            [dimension, *[_fmt(values[i]) for _name, values in series]]
            for i, dimension in enumerate(dimensions)
        ],
    )
    return render(
        chart,
        title=title,
        description=_("Index 0–100 per dimension. %(numbers)s") % {"numbers": description},
        table=table,
        slug=slug,
    )


@cached
def trend(
    rounds: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    slug: str,
    y_title: str = "",
) -> Chart:
    """One line per series over rounds; gaps where a round has no score (hidden or absent)."""
    y_title = y_title or _("Index")
    chart = pygal.Line(
        **base_config(
            title=title,
            range=(0, 100),
            x_title=_("Round"),
            y_title=y_title,
            allow_interruptions=True,
            show_dots=True,
            dots_size=3,
            x_label_rotation=20 if len(rounds) > 6 else 0,
            height=460,
            # A long last round name would otherwise run past the right edge.
            margin_right=last_label_room(rounds, rotated=len(rounds) > 6),
        )
    )
    chart.x_labels = list(rounds)
    for i, (name, values) in enumerate(series.items()):
        chart.add(name, list(values), stroke_style=dash(i))
    table = Table(
        columns=[_("Round"), *series.keys()],
        rows=[[label, *[_fmt(values[i]) for values in series.values()]] for i, label in enumerate(rounds)],
    )
    first_last = [
        _("%(name)s from %(first)s to %(last)s")
        % {
            "name": name,
            "first": _fmt(next((v for v in values if v is not None), None)),
            "last": _fmt(next((v for v in reversed(values) if v is not None), None)),
        }
        for name, values in series.items()
    ]
    description = ngettext(
        "%(measure)s 0–100 over %(n)s round: %(lines)s.",
        "%(measure)s 0–100 over %(n)s rounds: %(lines)s.",
        len(rounds),
    ) % {"measure": y_title, "n": len(rounds), "lines": "; ".join(first_last)}
    return render(chart, title=title, description=description, table=table, slug=slug)


@dataclass(frozen=True)
class LikertRow:
    label: str
    counts: Sequence[int]  # answers per point 1..n, as given
    dont_know: int = 0
    not_applicable: int = 0


@cached
def likert(rows: Sequence[LikertRow], scale_labels: Sequence[str], *, title: str, slug: str) -> Chart:
    """Diverging stacked bars: disagreement to the left of zero, agreement to the right, in %.

    The middle point of an odd scale is split half left, half right. Don't know and N/A are
    not in the bars; the table lists them.
    """
    points = len(scale_labels)
    middle = points // 2 if points % 2 else None
    order = _diverging_order(points, middle)
    chart = pygal.HorizontalStackedBar(
        **base_config(
            style=_diverging_style(points, order),
            title=title,
            range=(-100, 100),
            x_title=_("% of answers (disagree ← → agree)"),
            width=900,
            height=max(220, 60 + 46 * len(rows)),
            legend_at_bottom_columns=3,
            show_y_guides=False,
            show_x_guides=True,
        )
    )
    # Long question texts would eat the plot (and send pygal's title wrapping into a loop):
    # the chart shows a short label, the table below it the whole question.
    chart.x_labels = [_short(row.label) for row in rows]
    shares = []
    for row in rows:
        total = sum(row.counts) or 1
        shares.append([100 * n / total for n in row.counts])
    for side, point in order:
        values = []
        for share in shares:
            value = share[point] / 2 if side.startswith("middle") else share[point]
            values.append(-value if side in ("left", "middle-left") else value)
        name = f"{point + 1} · {scale_labels[point]}"
        if side == "middle-left":
            chart.add(name, values)
        elif side == "middle-right":
            chart.add(None, values, show_legend=False)  # the neutral point's right half
        else:
            chart.add(name, values)
    columns = [
        _("Question"),
        *[f"{p + 1} · {label}" for p, label in enumerate(scale_labels)],
        _("Don't know"),
        _("N/A"),
    ]
    table = Table(
        columns=columns,
        rows=[
            [row.label, *[str(n) for n in row.counts], str(row.dont_know), str(row.not_applicable)]
            for row in rows
        ],
    )
    description = ngettext(
        "Answers to %(n)s question as shares of the answers on the %(points)s-point scale; "
        "disagreement left of zero, agreement right.",
        "Answers to %(n)s questions as shares of the answers on the %(points)s-point scale; "
        "disagreement left of zero, agreement right.",
        len(rows),
    ) % {"n": len(rows), "points": points}
    return render(chart, title=title, description=description, table=table, slug=slug)


def whole_ticks(maximum: int, most: int = 10) -> list[int]:
    """Axis ticks in whole numbers from 0 past ``maximum``: a count of teams has no fractions."""
    step = 1
    while maximum / step > most:
        step = next(s for s in (2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000) if s > step)
    top = max(step, -(-maximum // step) * step)
    return list(range(0, top + 1, step))


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _diverging_order(points: int, middle: int | None) -> list[tuple[str, int]]:
    """Series order that stacks from the centre outwards on each side, so bars diverge from zero."""
    left_start = middle - 1 if middle is not None else points // 2 - 1
    right_start = middle + 1 if middle is not None else points // 2
    order = [("middle-left", middle)] if middle is not None else []
    order += [("left", p) for p in range(left_start, -1, -1)]
    order += [("middle-right", middle)] if middle is not None else []
    order += [("right", p) for p in range(right_start, points)]
    return order


# Orange for disagreeing, grey for neutral, blue for agreeing: readable with colour-vision
# deficiencies, and the legend and data table name every point anyway.
_DISAGREE = ("#b35806", "#e08214", "#fdb863", "#fee0b6")
_AGREE = ("#d8daeb", "#b2abd2", "#8073ac", "#542788")
_NEUTRAL = "#bdbdbd"


def _diverging_style(points: int, order: list[tuple[str, int]]) -> Style:
    half = points // 2
    colours = []
    for side, point in order:
        if side.startswith("middle"):
            colours.append(_NEUTRAL)
        elif side == "left":
            colours.append(_DISAGREE[len(_DISAGREE) - half + point])
        else:
            colours.append(_AGREE[point - (points - half)])
    return Style(**{**STYLE.__dict__, "colors": tuple(colours)})


@cached
def level_distribution(
    counts: Mapping[int, int], level_names: Mapping[int, str], *, title: str, slug: str
) -> Chart:
    """How many teams sit at each level, one bar per level with its number printed on it."""
    levels = sorted(level_names)
    ticks = whole_ticks(max([counts.get(level, 0) for level in levels], default=0))
    chart = pygal.HorizontalBar(
        **base_config(
            title=title,
            show_legend=False,
            print_values=True,
            height=300,
            x_title=_("Teams"),
            range=(0, ticks[-1]),
            value_formatter=lambda value: f"{value:.0f}",
        )
    )
    chart.y_labels = ticks
    chart.x_labels = [f"{level} · {level_names[level]}" for level in levels]
    chart.add(_("Teams"), [counts.get(level, 0) for level in levels])
    table = Table(
        columns=[_("Level"), _("Teams")],
        rows=[[f"{lv} · {level_names[lv]}", str(counts.get(lv, 0))] for lv in levels],
    )
    description = ", ".join(
        ngettext("level %(level)s: %(n)s team", "level %(level)s: %(n)s teams", counts.get(lv, 0))
        % {"level": lv, "n": counts.get(lv, 0)}
        for lv in levels
    )
    return render(chart, title=title, description=description.capitalize() + ".", table=table, slug=slug)


@cached
def sparkline(values: Sequence[float | None], *, title: str, slug: str) -> Chart:
    """A tiny line of an index over rounds, for lists; the description carries the numbers."""
    chart = pygal.Line(
        **base_config(
            show_legend=False,
            show_x_labels=False,
            show_y_labels=False,
            show_y_guides=False,
            show_dots=False,
            range=(0, 100),
            width=160,
            height=40,
            margin=2,
            allow_interruptions=True,
            explicit_size=True,
        )
    )
    chart.add(title, list(values), stroke_style={"width": 6})
    known = [v for v in values if v is not None]
    description = f"{title}: " + (", ".join(_fmt(v) for v in values) if known else _("no scores yet"))
    return render(
        chart,
        title=title,
        description=description,
        table=Table(
            columns=[_("Round"), _("Index")], rows=[[str(i + 1), _fmt(v)] for i, v in enumerate(values)]
        ),
        slug=slug,
    )
