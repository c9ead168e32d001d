"""One way to write a moment and a day on every page: ``{{ value|when }}`` and ``{{ value|day }}``.

A moment is written in the current time zone with the zone's name — "2 Dec 2026, 04:42 UTC" — so
nobody has to guess whose 04:42 it is; a day (a due date, a round's first day) has no zone.
Templates of every app load this library (``{% load when %}``); Python code of the domain apps
does not import it.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from teams.preferences import day_text, moment_text, zone_name

register = template.Library()


@register.filter
def when(value: datetime | None) -> str:
    """A moment in the current time zone, with the zone: "2 Dec 2026, 04:42 UTC"; "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return moment_text(value)
    return day_text(value)


@register.filter
def day(value: date | datetime | None) -> str:
    """A day, the same way everywhere: "2 Dec 2026"; a moment's day in the current time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return day_text(value)


@register.filter
def when_tag(value: datetime | None) -> str:
    """``when`` inside a ``<time>`` element whose ``datetime`` machines read."""
    if value is None:
        return ""
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), when(value))


@register.simple_tag
def current_zone() -> str:
    """The name of the time zone the page's times are written in, for form hints."""
    return zone_name()
