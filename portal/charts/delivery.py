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
from portal.charts.base import Chart, Table, base_config, cached, dash, render


def _config(title: str, y_title: str, series: int, **overrides) -> dict:
    # pygal reserves legend rows as (series // columns - 1) * 1.5 + 1 lines, which undercounts
    # (and pushes the legend out of the picture) unless the columns divide the series exactly.
    return base_config(
        title=title,
        x_title=_("month"),
        y_title=y_title,
        x_label_rotation=30,
        legend_at_bottom_columns=series,
        # A month without data is a gap, not a line drawn across it.
        allow_interruptions=True,
        **overrides,
    )


def _month(keys: Keys) -> str:
    return date_format(keys.period.start, "YEAR_MONTH_FORMAT")


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
    chart = pygal.StackedBar(**_config(title, _("deployments"), 2))
    chart.x_labels = labels
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
    chart = pygal.Line(**_config(title, _("median hours"), 1))
    chart.x_labels = labels
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
    chart = pygal.Line(**_config(title, _("% of deployments"), 2))
    chart.x_labels = labels
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
    chart = pygal.Line(**_config(title, _("median hours"), 1))
    chart.x_labels = labels
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
            # Names beside the dots while they fit; the table always has them.
            print_labels=len(points) <= 20,
            show_legend=False,
        )
    )
    chart.add(
        _("teams"),
        [{"value": (round(p.maturity, 1), round(p.delivery, 1)), "label": p.team} for p in points],
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
