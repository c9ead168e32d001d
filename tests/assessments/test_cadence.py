"""When scheduled rounds open and close: pure functions, no database."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from assessments import cadence
from assessments.cadence import Cadence

UTC = ZoneInfo("UTC")


def first(c: Cadence, n: int) -> list[date]:
    days = cadence.opening_days(c)
    return [next(days) for _ in range(n)]


def test_quarterly_opens_on_the_same_day_every_three_months():
    c = Cadence(cadence.QUARTERLY, date(2026, 1, 5), open_days=14)
    assert first(c, 5) == [
        date(2026, 1, 5),
        date(2026, 4, 5),
        date(2026, 7, 5),
        date(2026, 10, 5),
        date(2027, 1, 5),
    ]


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months():
    c = Cadence(cadence.MONTHLY, date(2026, 1, 31), open_days=7)
    assert first(c, 4) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_every_two_weeks_keeps_the_weekday():
    c = Cadence(cadence.WEEKS, date(2026, 12, 7), open_days=5, every_weeks=2)
    days = first(c, 3)
    assert days == [date(2026, 12, 7), date(2026, 12, 21), date(2027, 1, 4)]
    assert {d.weekday() for d in days} == {0}


def test_a_window_opens_at_its_time_in_the_schedules_zone_and_stays_open_n_days():
    c = Cadence(cadence.MONTHLY, date(2026, 3, 2), open_days=10, opens_at=time(9, 0), zone="Europe/Madrid")
    w = cadence.window(c, date(2026, 3, 2))
    assert w.opens_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Madrid is 08:00 UTC in March
    assert w.closes_at - w.opens_at == timedelta(days=10)


def test_current_is_the_open_window_and_none_between_windows():
    c = Cadence(cadence.QUARTERLY, date(2026, 1, 5), open_days=14)
    assert cadence.current(c, datetime(2026, 4, 10, tzinfo=UTC)).period == date(2026, 4, 5)
    assert cadence.current(c, datetime(2026, 5, 1, tzinfo=UTC)) is None
    assert cadence.current(c, datetime(2025, 12, 1, tzinfo=UTC)) is None
    # The window opens at 09:00: at 08:59 on its day it is not open yet.
    assert cadence.current(c, datetime(2026, 4, 5, 8, 59, tzinfo=UTC)) is None


def test_upcoming_lists_the_next_windows_and_stops_at_the_end():
    c = Cadence(cadence.QUARTERLY, date(2026, 1, 5), open_days=14)
    now = datetime(2026, 4, 10, tzinfo=UTC)
    assert [w.period for w in cadence.upcoming(c, now, 2)] == [date(2026, 7, 5), date(2026, 10, 5)]
    assert [w.period for w in cadence.upcoming(c, now, 3, until=date(2026, 9, 30))] == [date(2026, 7, 5)]


@given(
    kind=st.sampled_from([cadence.MONTHLY, cadence.WEEKS, cadence.QUARTERLY]),
    starts_on=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    every_weeks=st.integers(1, 8),
    data=st.data(),
)
def test_windows_never_overlap_and_periods_only_grow(kind, starts_on, every_weeks, data):
    longest = Cadence(kind, starts_on, 1, every_weeks=every_weeks).longest_window()
    c = Cadence(kind, starts_on, data.draw(st.integers(1, longest)), every_weeks=every_weeks)
    ws = []
    for w in cadence.windows(c):
        ws.append(w)
        if len(ws) == 14:
            break
    for before, after in zip(ws, ws[1:], strict=False):
        assert before.period < after.period
        assert before.closes_at <= after.opens_at
