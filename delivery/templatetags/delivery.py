"""Filters for showing delivery keys: levels, durations and rates in words with their unit."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from delivery.dora import Level
from delivery.metrics import LEVEL_LABELS

register = template.Library()

# Bootstrap badge classes; the word always goes with the colour.
_BADGES = {
    Level.ELITE: "text-bg-primary",
    Level.HIGH: "text-bg-success",
    Level.MEDIUM: "text-bg-warning",
    Level.LOW: "text-bg-danger",
}


@register.filter
def level_label(level: str | None) -> str:
    if not level:
        return _("no level yet")
    return str(LEVEL_LABELS[Level(level)])


@register.filter
def level_badge(level: str | None) -> str:
    return _BADGES[Level(level)] if level else "text-bg-secondary"


@register.filter
def duration(value: timedelta | None) -> str:
    """A duration in the unit that reads best: minutes, hours or days."""
    if value is None:
        return _("no data")
    seconds = value.total_seconds()
    if seconds < 3600:
        minutes = round(seconds / 60)
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    if seconds < 48 * 3600:
        hours = seconds / 3600
        return _("%(count)s hours") % {"count": number_format(round(hours, 1), 1)}
    return _("%(count)s days") % {"count": number_format(round(seconds / 86400, 1), 1)}


@register.filter
def percent(rate: float | None) -> str:
    if rate is None:
        return _("no data")
    return f"{number_format(round(rate * 100, 1), 1)} %"


@register.filter
def decimal(value: float | None, places: int = 1) -> str:
    if value is None:
        return _("no data")
    # number_format cuts digits off; round first, so 0.078 per week reads 0.1, not 0.0.
    return number_format(round(value, places), places)
