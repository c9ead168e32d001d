"""Flow metrics of an improvement board, from the stage history of its actions. SPEC §3.5.

Pure and typed: no ORM, no Django. Callers hand in one ``ActionFlow`` per action (its current
stage, due date and every stage change, the creation included) and get plain numbers back.

A number on a board means nothing without its definition, so here they are:

- *WIP*: how many actions are in each stage now.
- *In progress*: Do, Check and Act. Plan is the backlog; Done and Dropped are closed.
- *Started*: the first entry into an in-progress stage (the first commitment, as Kanban counts
  it, so moving a card back does not restart its clock). An action that skipped them all
  (Plan → Done) started when it was created.
- *Finished*: the last entry into Done, for an action that is Done now. An action reopened
  since is not finished; dropped actions never are.
- *Cycle time*: finished − started, in days. Reported as the median and the 85th percentile
  (nearest rank: 85 % of the actions finished within that many days).
- *Throughput*: actions finished per calendar month.
- *Aging*: for each action in progress now, days since it started, oldest first.
- *Overdue*: open actions (not Done, not Dropped) whose due date is before today.
- *Cumulative flow*: at the end of each week, how many actions stood in each stage. Dropped
  actions leave the diagram.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from statistics import median

PLAN = "plan"
DO = "do"
CHECK = "check"
ACT = "act"
DONE = "done"
DROPPED = "dropped"

STAGES: tuple[str, ...] = (PLAN, DO, CHECK, ACT, DONE, DROPPED)
IN_PROGRESS: tuple[str, ...] = (DO, CHECK, ACT)
OPEN: tuple[str, ...] = (PLAN, DO, CHECK, ACT)
CLOSED: tuple[str, ...] = (DONE, DROPPED)
# Stages of the cumulative flow diagram, bottom band first (finished work at the bottom).
FLOW_STAGES: tuple[str, ...] = (DONE, ACT, CHECK, DO, PLAN)
# The stage a card usually goes to next: the board preselects it. Done reopens into Act (the
# standardise-or-adjust step), a dropped action comes back to Plan.
NEXT_STAGE: dict[str, str] = {PLAN: DO, DO: CHECK, CHECK: ACT, ACT: DONE, DONE: ACT, DROPPED: PLAN}

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Move:
    """An action entering a stage at a moment (its creation is a move into its first stage)."""

    at: datetime
    to_stage: str


@dataclass(frozen=True)
class ActionFlow:
    """One action as flow metrics see it."""

    id: int
    stage: str
    due: date | None = None
    moves: tuple[Move, ...] = field(default=())

    def ordered_moves(self) -> list[Move]:
        """The moves oldest first (stable, so moves at the same instant keep their order)."""
        return sorted(self.moves, key=lambda move: move.at)


@dataclass(frozen=True)
class CycleTime:
    """Cycle time of finished actions: how many, the median and 85th percentile in days."""

    count: int
    median: float | None
    p85: float | None


@dataclass(frozen=True)
class Aging:
    """An action in progress and how many days ago it started."""

    id: int
    stage: str
    days: float


@dataclass(frozen=True)
class FlowWeek:
    """How many actions stood in each stage at the end of one week."""

    ending: datetime
    counts: dict[str, int]


def days_between(start: datetime, end: datetime) -> float:
    """Days from start to end, with fractions."""
    return (end - start).total_seconds() / SECONDS_PER_DAY


def wip(stages: Iterable[str]) -> dict[str, int]:
    """Count actions per stage, every stage present (zero when empty), in board order."""
    counts = dict.fromkeys(STAGES, 0)
    for stage in stages:
        if stage in counts:
            counts[stage] += 1
    return counts


def started_at(action: ActionFlow) -> datetime | None:
    """When work on the action started (see the module docstring); None without any history."""
    moves = action.ordered_moves()
    if not moves:
        return None
    for move in moves:
        if move.to_stage in IN_PROGRESS:
            return move.at
    return moves[0].at


def finished_at(action: ActionFlow) -> datetime | None:
    """The last entry into Done of an action that is Done now, else None."""
    if action.stage != DONE:
        return None
    done = [move.at for move in action.ordered_moves() if move.to_stage == DONE]
    return done[-1] if done else None


def cycle_time_days(action: ActionFlow) -> float | None:
    """Days from start to finish of a finished action, else None."""
    start, finish = started_at(action), finished_at(action)
    if start is None or finish is None:
        return None
    return max(0.0, days_between(start, finish))


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < p <= 100:
        raise ValueError(f"percentile {p} is outside (0, 100]")
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def cycle_time(actions: Iterable[ActionFlow], *, since: datetime | None = None) -> CycleTime:
    """Median and 85th percentile cycle time of the actions finished (at or after ``since``)."""
    days = []
    for action in actions:
        finish = finished_at(action)
        if finish is None or (since is not None and finish < since):
            continue
        value = cycle_time_days(action)
        if value is not None:
            days.append(value)
    if not days:
        return CycleTime(count=0, median=None, p85=None)
    return CycleTime(count=len(days), median=median(days), p85=percentile(days, 85))


def month_start(day: date) -> date:
    """The first day of the day's month."""
    return date(day.year, day.month, 1)


def months_between(first: date, last: date) -> list[date]:
    """First days of every month from first's month to last's month, inclusive."""
    months = []
    current, end = month_start(first), month_start(last)
    while current <= end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def throughput_per_month(
    actions: Iterable[ActionFlow], *, first: date, last: date, tz: tzinfo | None = None
) -> list[tuple[date, int]]:
    """Actions finished in each month from first to last (months without any count zero).

    ``tz`` is the time zone whose calendar counts (finish times are converted to it).
    """
    counts = dict.fromkeys(months_between(first, last), 0)
    for action in actions:
        finish = finished_at(action)
        if finish is None:
            continue
        if tz is not None:
            finish = finish.astimezone(tz)
        month = month_start(finish.date())
        if month in counts:
            counts[month] += 1
    return list(counts.items())


def aging(actions: Iterable[ActionFlow], *, now: datetime) -> list[Aging]:
    """Actions in progress now with the days since they started, oldest first."""
    rows = []
    for action in actions:
        if action.stage not in IN_PROGRESS:
            continue
        start = started_at(action)
        if start is None:
            continue
        rows.append(Aging(id=action.id, stage=action.stage, days=max(0.0, days_between(start, now))))
    return sorted(rows, key=lambda row: (-row.days, row.id))


def is_overdue(stage: str, due: date | None, today: date) -> bool:
    """Open and due before today."""
    return due is not None and stage in OPEN and due < today


def overdue_count(actions: Iterable[ActionFlow], *, today: date) -> int:
    """How many open actions are past their due date."""
    return sum(1 for action in actions if is_overdue(action.stage, action.due, today))


def stage_at(ordered_moves: Sequence[Move], moment: datetime) -> str | None:
    """The stage an action stood in at that moment, from its moves in order (``ordered_moves()``);
    None before it was created."""
    stage = None
    for move in ordered_moves:
        if move.at > moment:
            break
        stage = move.to_stage
    return stage


def week_ends(now: datetime, weeks: int) -> list[datetime]:
    """``weeks`` moments a week apart ending at ``now``, oldest first."""
    if weeks < 1:
        raise ValueError("at least one week")
    return [now - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def cumulative_flow(actions: Iterable[ActionFlow], *, ends: Sequence[datetime]) -> list[FlowWeek]:
    """Per moment in ``ends``: actions in each flow stage then (dropped and unborn ones left out)."""
    histories = [action.ordered_moves() for action in actions]
    weeks = []
    for ending in ends:
        counts = dict.fromkeys(FLOW_STAGES, 0)
        for moves in histories:
            stage = stage_at(moves, ending)
            if stage in counts:
                counts[stage] += 1
        weeks.append(FlowWeek(ending=ending, counts=counts))
    return weeks


@dataclass(frozen=True)
class FlowSummary:
    """Every flow metric of one board, as its page shows them."""

    wip: dict[str, int]
    in_progress: int
    throughput: list[tuple[date, int]]
    finished_in_window: int
    cycle_time: CycleTime
    aging: list[Aging]
    overdue: int
    cumulative_flow: list[FlowWeek]


def summary(
    actions: Iterable[ActionFlow], *, now: datetime, months: int = 12, weeks: int = 26
) -> FlowSummary:
    """The board's metrics at ``now`` (an aware datetime in the local time zone).

    Throughput covers the last ``months`` calendar months (this one included) and cycle time the
    actions finished in that window; the cumulative flow covers the last ``weeks`` weeks.
    """
    actions = list(actions)
    today = now.date()
    first = month_start(today)
    for _ in range(months - 1):
        first = month_start(first - timedelta(days=1))
    window_start = datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo)
    throughput = throughput_per_month(actions, first=first, last=today, tz=now.tzinfo)
    counts = wip(action.stage for action in actions)
    return FlowSummary(
        wip=counts,
        in_progress=sum(counts[stage] for stage in IN_PROGRESS),
        throughput=throughput,
        finished_in_window=sum(count for _, count in throughput),
        cycle_time=cycle_time(actions, since=window_start),
        aging=aging(actions, now=now),
        overdue=overdue_count(actions, today=today),
        cumulative_flow=cumulative_flow(actions, ends=week_ends(now, weeks)),
    )
