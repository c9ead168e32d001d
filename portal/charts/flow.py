"""Charts of an improvement board: cumulative flow and throughput. Built from plain data only."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from datetime import date

import pygal
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from improvements.flow import FLOW_STAGES, FlowWeek
from portal.charts.base import Chart, Table, base_config, dash, render
from teams.preferences import day_text


def _without_inline_style(chart: Chart) -> Chart:
    """Drop the one ``style`` attribute pygal writes (on its empty tooltip): the CSP refuses inline
    styles, and without JavaScript the tooltip never shows anyway."""
    return dataclasses.replace(chart, svg=chart.svg.replace(' style="opacity: 0"', ""))


def _count_labels(highest: int) -> list[int]:
    """Whole-number axis labels from 0 to at least ``highest``, about six of them."""
    step = max(1, math.ceil(highest / 6))
    return list(range(0, max(highest, 1) + step, step))


def cumulative_flow_chart(
    weeks: Sequence[FlowWeek], *, labels: Mapping[str, str], slug: str = "cfd"
) -> Chart:
    """A stacked area of how many actions stood in each stage at the end of each week."""
    title = _("Cumulative flow")
    chart = pygal.StackedLine(
        **base_config(
            title=title,
            fill=True,
            show_dots=False,
            x_title=_("week ending"),
            y_title=_("actions"),
            x_label_rotation=0,
            show_minor_x_labels=False,
            x_labels_major_every=max(1, len(weeks) // 6),
            include_x_axis=True,
            legend_at_bottom_columns=len(FLOW_STAGES),
            y_labels=_count_labels(max((sum(week.counts.values()) for week in weeks), default=0)),
        )
    )
    x_labels = [date_format(week.ending, "j M") for week in weeks]
    chart.x_labels = x_labels
    for index, stage in enumerate(FLOW_STAGES):
        chart.add(labels[stage], [week.counts[stage] for week in weeks], stroke_style=dash(index))
    latest = weeks[-1].counts if weeks else dict.fromkeys(FLOW_STAGES, 0)
    description = _(
        "Actions in each stage at the end of each of the last %(weeks)d weeks, stacked with finished "
        "work at the bottom. Now: %(now)s. A widening band is work piling up in that stage; dropped "
        "actions leave the chart."
    ) % {
        "weeks": len(weeks),
        "now": ", ".join(f"{labels[stage]} {latest[stage]}" for stage in reversed(FLOW_STAGES)),
    }
    table = Table(
        columns=[_("week ending"), *(labels[stage] for stage in reversed(FLOW_STAGES))],
        rows=[
            [day_text(week.ending), *(str(week.counts[stage]) for stage in reversed(FLOW_STAGES))]
            for week in weeks
        ],
    )
    return _without_inline_style(render(chart, title=title, description=description, table=table, slug=slug))


def throughput_chart(months: Sequence[tuple[date, int]], *, slug: str = "throughput") -> Chart:
    """Bars of how many actions the team finished in each month."""
    title = _("Throughput")
    chart = pygal.Bar(
        **base_config(
            title=title,
            show_legend=False,
            x_title=_("month"),
            y_title=_("actions finished"),
            include_x_axis=True,
            y_labels=_count_labels(max((count for _month, count in months), default=0)),
            print_values=True,
            x_label_rotation=0,
        )
    )
    chart.x_labels = [date_format(month, "M") for month, _count in months]
    chart.add(_("actions finished"), [count for _month, count in months])
    total = sum(count for _month, count in months)
    description = _(
        "Actions moved to Done in each of the last %(months)d months: %(total)d in all. "
        "An action reopened since is not counted."
    ) % {"months": len(months), "total": total}
    table = Table(
        columns=[_("month"), _("actions finished")],
        rows=[[date_format(month, "F Y"), str(count)] for month, count in months],
    )
    return _without_inline_style(render(chart, title=title, description=description, table=table, slug=slug))
