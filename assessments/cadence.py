"""When a schedule's rounds open and close, pure and typed: no ORM.

A schedule opens a round on each *opening day* (the first one, then every N weeks, every month or
every quarter; a monthly day past the end of a shorter month falls on its last day), at a time of
day in the schedule's time zone, and keeps it open for N days. Each window is named by its
opening day, its *period*, which is the schedule's key for that round: one round per schedule and
period, whoever asks and however often.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTHLY = "monthly"
WEEKS = "weeks"
QUARTERLY = "quarterly"


@dataclass(frozen=True)
class Cadence:
    kind: str  # MONTHLY, WEEKS or QUARTERLY
    starts_on: date
    open_days: int
    opens_at: time = time(9, 0)
    every_weeks: int = 1
    zone: str = "UTC"

    def longest_window(self) -> int:
        """The most days a window may stay open without running into the next one."""
        return {WEEKS: 7 * self.every_weeks, MONTHLY: 28, QUARTERLY: 89}[self.kind]


@dataclass(frozen=True)
class Window:
    period: date
    opens_at: datetime
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


def _add_months(day: date, months: int, anchor_day: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def opening_days(cadence: Cadence) -> Iterator[date]:
    """Every opening day of the schedule, from the first, without end."""
    n = 0
    while True:
        if cadence.kind == WEEKS:
            yield cadence.starts_on + timedelta(weeks=cadence.every_weeks * n)
        else:
            step = 1 if cadence.kind == MONTHLY else 3
            yield _add_months(cadence.starts_on, step * n, cadence.starts_on.day)
        n += 1


def window(cadence: Cadence, period: date) -> Window:
    opens = datetime.combine(period, cadence.opens_at, tzinfo=ZoneInfo(cadence.zone))
    return Window(period=period, opens_at=opens, closes_at=opens + timedelta(days=cadence.open_days))


def windows(cadence: Cadence) -> Iterator[Window]:
    for day in opening_days(cadence):
        yield window(cadence, day)


def current(cadence: Cadence, now: datetime) -> Window | None:
    """The window open at ``now``, or None between windows (and before the first)."""
    latest = None
    for candidate in windows(cadence):
        if candidate.opens_at > now:
            break
        latest = candidate
    return latest if latest is not None and latest.is_open(now) else None


def upcoming(cadence: Cadence, now: datetime, count: int, until: date | None = None) -> list[Window]:
    """The next ``count`` windows opening after ``now`` (none past ``until``, the schedule's end)."""
    found = []
    for candidate in windows(cadence):
        if until is not None and candidate.period > until:
            break
        if candidate.opens_at > now:
            found.append(candidate)
            if len(found) == count:
                break
    return found
