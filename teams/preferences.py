"""Each person's language and time zone: reading, saving, and speaking to someone in them.

Pages take them from the session (portal.middleware.PersonPreferences, filled at sign-in);
e-mails and chat messages, written by workers with no request, wrap each recipient in
``speaking_to``.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache

from django.conf import settings
from django.utils import formats, timezone, translation

from teams.models import Preferences


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone this system knows, sorted ("Europe/Madrid", …)."""
    return tuple(sorted(zoneinfo.available_timezones() - {"Factory", "localtime"}))


def language_known(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def time_zone_known(name: str) -> bool:
    return name in time_zones()


def preferences_of(user) -> Preferences:
    """The person's preferences (unsaved and blank when they never chose)."""
    return Preferences.objects.filter(user=user).first() or Preferences(user=user)


def preferences_set(*, user, language: str | None = None, time_zone: str | None = None) -> Preferences:
    """Save what is given (None leaves a value as it was). Raises ValueError for an unknown one."""
    if language is not None and language and not language_known(language):
        raise ValueError(f"unknown language {language!r}")
    if time_zone is not None and time_zone and not time_zone_known(time_zone):
        raise ValueError(f"unknown time zone {time_zone!r}")
    preferences = preferences_of(user)
    if language is not None:
        preferences.language = language
    if time_zone is not None:
        preferences.time_zone = time_zone
    preferences.save()
    return preferences


def by_user(user_ids) -> dict[int, Preferences]:
    """The preferences of many people, in one query (those who never chose are absent)."""
    return {p.user_id: p for p in Preferences.objects.filter(user_id__in=list(user_ids))}


# A moment and a day are written everywhere (pages, e-mails, chat) in the language's
# DATETIME_FORMAT and DATE_FORMAT (portal/formats/): "2 Dec 2026, 04:42 UTC", "02/12/2026 04:42 CET".


def zone_name(moment: datetime | None = None) -> str:
    """The current time zone's short name at that moment ("UTC", "CET", "CEST"), else its key."""
    zone = timezone.get_current_timezone()
    name = (moment or timezone.now()).astimezone(zone).tzname() or str(zone)
    # zoneinfo writes "+03" for zones without an abbreviation: the key says more.
    return str(zone) if name[:1] in "+-" else name


def moment_text(value: datetime) -> str:
    """A moment in the current time zone and language, with the zone: "2 Dec 2026, 04:42 UTC"."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {zone_name(local)}"


def day_text(value) -> str:
    """A day in the current language: "2 Dec 2026", "02/12/2026"."""
    return formats.date_format(value, "DATE_FORMAT")


@contextmanager
def speaking_to(preferences: Preferences | None) -> Iterator[None]:
    """Write in the person's language and time zone (the site's defaults where they chose none).
    Anything with ``language`` and ``time_zone`` will do: a chat channel has both too."""
    language = (preferences.language if preferences else "") or settings.LANGUAGE_CODE
    zone = (preferences.time_zone if preferences else "") or settings.TIME_ZONE
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        yield
