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
from django.utils.translation import ngettext

from delivery.dora import Keys
from portal.charts.base import Chart, Table, base_config, cached, dash, last_label_room, number, render


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
    """The current month, counted so far: drawn apart, never joined to the full months."""
    return keys.period.partial


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
    return _("no data") if value is None else f"{number(value, None)}{unit}"


def _split(months: Sequence[Keys], values: list) -> tuple[list, list]:
    """The values of the full months (the partial one a gap), and the partial month's alone."""
    full = [None if partial(k) else v for k, v in zip(months, values, strict=True)]
    so_far = [v if partial(k) else None for k, v in zip(months, values, strict=True)]
    return full, so_far


def _add_line(chart, name: str, months: Sequence[Keys], values: list, index: int) -> None:
    full, so_far = _split(months, values)
    chart.add(name, full, stroke_style=dash(index))
    if any(v is not None for v in so_far):
        chart.add(
            _("%(series)s, this month so far (partial)") % {"series": name},
            so_far,
            stroke=False,
            dots_size=5,
        )


@cached
def deployments_chart(months: Sequence[Keys], *, slug: str = "deployments") -> Chart:
    """Production deployments per month, those that needed remediation stacked on the others; the
    current month apart."""
    labels = [_month(keys) for keys in months]
    clean = [keys.deployments - keys.change_failures for keys in months]
    failed = [keys.change_failures for keys in months]
    title = _("Production deployments per month")
    chart = pygal.StackedBar(**_config(title, _("deployments"), 3, len(months)))
    _label_months(chart, months)
    clean_full, _clean_now = _split(months, clean)
    failed_full, _failed_now = _split(months, failed)
    chart.add(_("no remediation needed"), clean_full)
    chart.add(_("needed remediation"), failed_full)
    chart.add(
        _("this month so far (partial)"), [keys.deployments if partial(keys) else None for keys in months]
    )
    full = [keys for keys in months if not partial(keys)]
    description = _(
        "%(total)s production deployments in %(months)s full months, %(failed)s of them needed remediation."
    ) % {
        "total": sum(keys.deployments for keys in full),
        "months": len(full),
        "failed": sum(keys.change_failures for keys in full),
    }
    table = Table(
        [_("month"), _("deployments"), _("needed remediation"), _("failed attempts")],
        [
            [label, str(keys.deployments), str(keys.change_failures), str(keys.failed_attempts)]
            for label, keys in zip(labels, months, strict=True)
        ],
    )
    return render(chart, title=title, description=description, table=table, slug=slug)


@cached
def lead_time_chart(months: Sequence[Keys], *, slug: str = "lead-time") -> Chart:
    """Median change lead time per month, in hours."""
    labels = [_month(keys) for keys in months]
    values = [_hours(keys.lead_time) for keys in months]
    title = _("Change lead time")
    chart = pygal.Line(**_config(title, _("median hours"), 2, len(months), include_x_axis=True))
    _label_months(chart, months)
    _add_line(chart, _("median lead time (hours)"), months, values, 0)
    known = [v for v, k in zip(values, months, strict=True) if v is not None and not partial(k)]
    description = (
        _("Median hours from commit to production, per month; last full month %(latest)s hours.")
        % {"latest": _cell(known[-1])}
        if known
        else _("No production deployments with a commit time in these months.")
    )
    table = Table(
        [_("month"), _("median lead time (hours)"), _("deployments with a commit time")],
        [
            [label, _cell(v), str(k.lead_time_samples)]
            for label, v, k in zip(labels, values, months, strict=True)
        ],
    )
    return render(chart, title=title, description=description, table=table, slug=slug)


@cached
def stability_chart(months: Sequence[Keys], *, slug: str = "stability") -> Chart:
    """Change fail rate and deployment rework rate per month, in percent."""
    labels = [_month(keys) for keys in months]
    failure = [_percent(keys.change_fail_rate) for keys in months]
    rework = [_percent(keys.rework_rate) for keys in months]
    title = _("Instability: change fail rate and rework rate")
    chart = pygal.Line(**_config(title, _("% of deployments"), 2, len(months), include_x_axis=True))
    _label_months(chart, months)
    _add_line(chart, _("change fail rate (%)"), months, failure, 0)
    _add_line(chart, _("rework rate (%)"), months, rework, 1)
    description = _(
        "Share of each month's production deployments that needed remediation, and that were unplanned fixes."
    )
    table = Table(
        [_("month"), _("change fail rate (%)"), _("rework rate (%)"), _("deployments")],
        [
            [label, _cell(f), _cell(r), str(k.deployments)]
            for label, f, r, k in zip(labels, failure, rework, months, strict=True)
        ],
    )
    return render(chart, title=title, description=description, table=table, slug=slug)


@cached
def recovery_chart(months: Sequence[Keys], *, slug: str = "recovery") -> Chart:
    """Median failed deployment recovery time per month, in hours."""
    labels = [_month(keys) for keys in months]
    values = [_hours(keys.recovery_time) for keys in months]
    title = _("Failed deployment recovery time")
    chart = pygal.Line(**_config(title, _("median hours"), 2, len(months), include_x_axis=True))
    _label_months(chart, months)
    _add_line(chart, _("median recovery time (hours)"), months, values, 0)
    recovered = sum(keys.recovery_samples for keys in months if not partial(keys))
    description = _(
        "Median hours from a failed change to its recovery, per month; %(count)s recoveries in full months."
    ) % {"count": recovered}
    table = Table(
        [_("month"), _("median recovery time (hours)"), _("recovered failed changes")],
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
    """One team: its culture (0–100), its delivery value, and the counts behind both."""

    team: str
    culture: float
    delivery: float
    responses: int = 0
    deployments: int = 0


@cached
def culture_delivery_scatter(
    points: Sequence[CultureDeliveryPoint | tuple],
    *,
    culture_title: str,
    delivery_title: str,
    delivery_max: float = 100.0,
    lower_is_better: bool = False,
    title: str,
    slug: str = "culture-delivery",
    of_groups: bool = False,
) -> Chart:
    """Each team's (or, ``of_groups``, each group's) culture against one delivery factor, with the
    correlation in words and the reminder that it shows association, not cause."""
    points = [CultureDeliveryPoint(*point) for point in points]
    chart = pygal.XY(
        **base_config(
            title=title,
            x_title=culture_title,
            y_title=delivery_title,
            stroke=False,
            range=(0, delivery_max),
            xrange=(0, 100),
            dots_size=5,
            # A name is printed on its dot only where it overlaps no other name (teams that score
            # alike would pile up): the table below the chart names every dot.
            print_labels=True,
            show_legend=False,
        )
    )
    chart.add(
        _("groups") if of_groups else _("teams"),
        [
            {"value": (round(p.culture, 1), round(p.delivery, 1)), "label": p.team if printed else ""}
            for p, printed in zip(points, labels_that_fit(points, delivery_max), strict=True)
        ],
    )
    if of_groups:
        description = ngettext(
            "%(count)s group, each the mean of its teams.",
            "%(count)s groups, each the mean of its teams.",
            len(points),
        ) % {"count": len(points)}
    else:
        description = _("%(count)s teams.") % {"count": len(points)}
    correlation = _correlation(points)
    if correlation is not None:
        description += " " + _("Correlation: r = %(r).2f (%(strength)s).") % {
            "r": correlation,
            "strength": _strength(correlation),
        }
        if lower_is_better:
            description += " " + _(
                "Lower instability is better, so a negative r goes with steadier delivery."
            )
    description += " " + _("It shows association, not cause.")
    table = Table(
        [
            _("group") if of_groups else _("team"),
            culture_title,
            _("survey responses"),
            delivery_title,
            _("deployments"),
        ],
        [
            [p.team, number(p.culture, 1), str(p.responses), number(p.delivery, 1), str(p.deployments)]
            for p in sorted(points, key=lambda p: p.team)
        ],
    )
    return render(chart, title=title, description=description, table=table, slug=slug)


# The scatter's plot area in px (pygal's default 800 × 600 less axes and titles, rounded down),
# and the label font size: enough to tell whether two names would touch.
_PLOT_WIDTH, _PLOT_HEIGHT, _LABEL_PX = 640.0, 420.0, 13.0


def labels_that_fit(points: Sequence[CultureDeliveryPoint], y_max: float = 100.0) -> list[bool]:
    """For each point, whether its name can be printed centred on its dot without touching a name
    printed before it (first come, first printed)."""
    boxes: list[tuple[float, float, float, float]] = []
    fits = []
    for p in points:
        x, y = p.culture / 100 * _PLOT_WIDTH, (1 - p.delivery / (y_max or 100)) * _PLOT_HEIGHT
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
        return statistics.correlation([p.culture for p in points], [p.delivery for p in points])
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
