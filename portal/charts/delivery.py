"""Delivery charts: the DORA keys per month, and culture against delivery across teams.

They take plain data (delivery.dora.Keys per month; tuples for the scatter) and never query.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import NamedTuple

import pygal
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from delivery.dora import Keys
from portal.charts.base import Chart, Table, base_config, cached, dash, last_label_room, render


def _config(title: str, y_title: str, series: int, months: int = 12, **overrides) -> dict:
    return base_config(
        title=title,
        x_title=_("month"),
        y_title=y_title,
        # Short month names, level: with more than eight months every other one is written
        # (counting back from the latest, which is always named), so no two labels overlap.
        x_label_rotation=0,
        show_minor_x_labels=months <= 8,
        legend_at_bottom_columns=series,
        # A month without data is a gap, not a line drawn across it.
        allow_interruptions=True,
        **overrides,
    )


def partial(keys: Keys) -> bool:
    """The period ends before its calendar month does: the current month, counted so far."""
    start = keys.period.start
    following = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return keys.period.end < following


def _month(keys: Keys) -> str:
    """The month's label in tables and descriptions: "December 2026", "December 2026 (partial)"."""
    label = date_format(keys.period.start, "YEAR_MONTH_FORMAT")
    return _("%(month)s (partial)") % {"month": label} if partial(keys) else label


def _label_months(chart, months: Sequence[Keys]) -> None:
    """Short, level labels under the chart: with more than eight months every other one, counting
    back from the latest (always named); the year on the first label shown and where it changes:
    "Aug 2024", "Oct", "Dec", "Feb 2025", "Apr", "Jun (partial)"."""
    step = 2 if len(months) > 8 else 1
    shown = set(range(len(months) - 1, -1, -step))
    labels, year = [], None
    for i, keys in enumerate(months):
        start = keys.period.start
        label = date_format(start, "M" if i in shown and year == start.year else "M Y")
        if i in shown:
            year = start.year
        labels.append(_("%(month)s (partial)") % {"month": label} if partial(keys) else label)
    chart.x_labels = labels
    chart.x_labels_major = [labels[i] for i in sorted(shown)]
    if isinstance(chart, pygal.Line):  # its last label is centred on the plot's right edge
        chart.config.margin_right = last_label_room(labels)


def _hours(keys_duration) -> float | None:
    return round(keys_duration.total_seconds() / 3600, 1) if keys_duration is not None else None


def _percent(rate: float | None) -> float | None:
    return round(rate * 100, 1) if rate is not None else None


def _cell(value: float | None, unit: str = "") -> str:
    return _("no data") if value is None else f"{value:g}{unit}"


@cached
def deployments_chart(months: Sequence[Keys], *, slug: str = "deployments") -> Chart:
    """Deployments per month, the succeeded and the failed stacked."""
    labels = [_month(keys) for keys in months]
    succeeded = [keys.deployments - keys.failed_deployments for keys in months]
    failed = [keys.failed_deployments for keys in months]
    title = _("Deployments per month")
    chart = pygal.StackedBar(**_config(title, _("deployments"), 2, len(months)))
    _label_months(chart, months)
    chart.add(_("succeeded"), succeeded)
    chart.add(_("failed or caused an incident"), failed)
    total = sum(keys.deployments for keys in months)
    description = _("%(total)s deployments in %(months)s months, %(failed)s of them failed.") % {
        "total": total,
        "months": len(months),
        "failed": sum(failed),
    }
    table = Table(
        [_("month"), _("deployments"), _("failed")],
        [
            [label, str(keys.deployments), str(keys.failed_deployments)]
            for label, keys in zip(labels, months, strict=True)
        ],
    )
    return render(chart, title=title, description=description, table=table, slug=slug)


@cached
def lead_time_chart(months: Sequence[Keys], *, slug: str = "lead-time") -> Chart:
    """Median lead time for changes per month, in hours."""
    labels = [_month(keys) for keys in months]
    values = [_hours(keys.lead_time) for keys in months]
    title = _("Lead time for changes")
    chart = pygal.Line(**_config(title, _("median hours"), 1, len(months), include_x_axis=True))
    _label_months(chart, months)
    chart.add(_("median lead time (hours)"), values, stroke_style=dash(0))
    known = [v for v in values if v is not None]
    description = (
        _("Median hours from first commit to production, per month; latest %(latest)s hours.")
        % {"latest": _cell(known[-1])}
        if known
        else _("No successful deployments with a lead time in these months.")
    )
    table = Table(
        [_("month"), _("median lead time (hours)"), _("successful deployments")],
        [
            [label, _cell(v), str(k.lead_time_samples)]
            for label, v, k in zip(labels, values, months, strict=True)
        ],
    )
    return render(chart, title=title, description=description, table=table, slug=slug)


@cached
def stability_chart(months: Sequence[Keys], *, slug: str = "stability") -> Chart:
    """Change failure rate and rework rate per month, in percent."""
    labels = [_month(keys) for keys in months]
    failure = [_percent(keys.change_failure_rate) for keys in months]
    rework = [_percent(keys.rework_rate) for keys in months]
    title = _("Change failure and rework rate")
    chart = pygal.Line(**_config(title, _("% of deployments"), 2, len(months), include_x_axis=True))
    _label_months(chart, months)
    chart.add(_("change failure rate (%)"), failure, stroke_style=dash(0))
    chart.add(_("rework rate (%)"), rework, stroke_style=dash(1))
    description = _(
        "Share of each month's deployments that failed or caused an incident, and that were unplanned fixes."
    )
    table = Table(
        [_("month"), _("change failure rate (%)"), _("rework rate (%)"), _("deployments")],
        [
            [label, _cell(f), _cell(r), str(k.deployments)]
            for label, f, r, k in zip(labels, failure, rework, months, strict=True)
        ],
    )
    return render(chart, title=title, description=description, table=table, slug=slug)


@cached
def recovery_chart(months: Sequence[Keys], *, slug: str = "recovery") -> Chart:
    """Median failed-deployment recovery time per month, in hours."""
    labels = [_month(keys) for keys in months]
    values = [_hours(keys.recovery_time) for keys in months]
    title = _("Failed-deployment recovery time")
    chart = pygal.Line(**_config(title, _("median hours"), 1, len(months), include_x_axis=True))
    _label_months(chart, months)
    chart.add(_("median recovery time (hours)"), values, stroke_style=dash(0))
    recovered = sum(keys.recovery_samples for keys in months)
    description = _(
        "Median hours from a failed deployment to its recovery, per month; %(count)s recoveries."
    ) % {"count": recovered}
    table = Table(
        [_("month"), _("median recovery time (hours)"), _("recovered failures")],
        [
            [label, _cell(v), str(k.recovery_samples)]
            for label, v, k in zip(labels, values, months, strict=True)
        ],
    )
    return render(chart, title=title, description=description, table=table, slug=slug)


def delivery_trend_charts(months: Sequence[Keys]) -> list[Chart]:
    """The four trend charts of the team delivery panel."""
    return [
        deployments_chart(months),
        lead_time_chart(months),
        stability_chart(months),
        recovery_chart(months),
    ]


class CultureDeliveryPoint(NamedTuple):
    """One team: its maturity index (0–100) and its delivery score (0–100)."""

    team: str
    maturity: float
    delivery: float


@cached
def delivery_vs_culture_scatter(
    points: Sequence[CultureDeliveryPoint | tuple[str, float, float]], *, slug: str = "culture-delivery"
) -> Chart:
    """Each team's maturity index against its delivery score, with the correlation in words."""
    points = [CultureDeliveryPoint(*point) for point in points]
    title = _("Culture and delivery")
    chart = pygal.XY(
        **base_config(
            title=title,
            x_title=_("maturity index (0–100)"),
            y_title=_("delivery score (0–100)"),
            stroke=False,
            range=(0, 100),
            xrange=(0, 100),
            dots_size=5,
            # A name is printed on its dot only where it overlaps no other name (teams that score
            # alike would pile up): the table below the chart names every dot.
            print_labels=True,
            show_legend=False,
        )
    )
    chart.add(
        _("teams"),
        [
            {"value": (round(p.maturity, 1), round(p.delivery, 1)), "label": p.team if printed else ""}
            for p, printed in zip(points, labels_that_fit(points), strict=True)
        ],
    )
    description = _("%(count)s teams.") % {"count": len(points)}
    correlation = _correlation(points)
    if correlation is not None:
        description += " " + _("Correlation between maturity and delivery: r = %(r).2f (%(strength)s).") % {
            "r": correlation,
            "strength": _strength(correlation),
        }
    table = Table(
        [_("team"), _("maturity index"), _("delivery score")],
        [[p.team, f"{p.maturity:.1f}", f"{p.delivery:.1f}"] for p in sorted(points, key=lambda p: p.team)],
    )
    return render(chart, title=title, description=description, table=table, slug=slug)


# The scatter's plot area in px (pygal's default 800 × 600 less axes and titles, rounded down),
# and the label font size: enough to tell whether two names would touch.
_PLOT_WIDTH, _PLOT_HEIGHT, _LABEL_PX = 640.0, 420.0, 13.0


def labels_that_fit(points: Sequence[CultureDeliveryPoint]) -> list[bool]:
    """For each point, whether its name can be printed centred on its dot without touching a name
    printed before it (first come, first printed)."""
    boxes: list[tuple[float, float, float, float]] = []
    fits = []
    for p in points:
        x, y = p.maturity / 100 * _PLOT_WIDTH, (1 - p.delivery / 100) * _PLOT_HEIGHT
        half_w, half_h = len(p.team) * 0.6 * _LABEL_PX / 2 + 3, _LABEL_PX / 2 + 2
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        free = all(box[2] < b[0] or b[2] < box[0] or box[3] < b[1] or b[3] < box[1] for b in boxes)
        if free:
            boxes.append(box)
        fits.append(free)
    return fits


def _correlation(points: Sequence[CultureDeliveryPoint]) -> float | None:
    if len(points) < 3:
        return None
    try:
        return statistics.correlation([p.maturity for p in points], [p.delivery for p in points])
    except statistics.StatisticsError:  # one of them does not vary
        return None


def _strength(r: float) -> str:
    size = abs(r)
    if size >= 0.7:
        words = _("strong")
    elif size >= 0.4:
        words = _("moderate")
    elif size >= 0.2:
        words = _("weak")
    else:
        return _("hardly any relation")
    return _("%(strength)s, %(direction)s") % {
        "strength": words,
        "direction": _("positive") if r > 0 else _("negative"),
    }
