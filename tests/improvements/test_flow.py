"""Flow metrics, pure: no database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from improvements import flow
from improvements.flow import ActionFlow, Move

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def action(id: int, *path: tuple[str, float], due: date | None = None) -> ActionFlow:
    """An action with moves (stage, day); its current stage is the last one."""
    moves = tuple(Move(at=day(d), to_stage=stage) for stage, d in path)
    return ActionFlow(id=id, stage=path[-1][0] if path else "plan", due=due, moves=moves)


# --- no actions ------------------------------------------------------------------------------


def test_no_actions_give_zero_wip_everywhere():
    assert flow.wip([]) == {"plan": 0, "do": 0, "check": 0, "act": 0, "done": 0, "dropped": 0}


def test_no_actions_have_no_cycle_time():
    assert flow.cycle_time([]) == flow.CycleTime(count=0, median=None, p85=None)


def test_no_actions_give_zero_throughput_for_every_month():
    assert flow.throughput_per_month([], first=date(2026, 1, 20), last=date(2026, 3, 2)) == [
        (date(2026, 1, 1), 0),
        (date(2026, 2, 1), 0),
        (date(2026, 3, 1), 0),
    ]


def test_no_actions_nothing_ages_and_nothing_is_overdue():
    assert flow.aging([], now=day(10)) == []
    assert flow.overdue_count([], today=date(2026, 2, 1)) == 0


def test_no_actions_give_empty_weeks():
    weeks = flow.cumulative_flow([], ends=flow.week_ends(day(14), 3))
    assert [week.counts for week in weeks] == [dict.fromkeys(flow.FLOW_STAGES, 0)] * 3


def test_summary_of_no_actions():
    summary = flow.summary([], now=day(0), months=3, weeks=2)
    assert summary.in_progress == 0 and summary.finished_in_window == 0 and summary.overdue == 0
    assert len(summary.throughput) == 3 and len(summary.cumulative_flow) == 2


# --- WIP -------------------------------------------------------------------------------------


def test_wip_counts_each_stage_and_ignores_unknown_ones():
    assert flow.wip(["do", "do", "plan", "done", "nonsense"]) == {
        "plan": 1,
        "do": 2,
        "check": 0,
        "act": 0,
        "done": 1,
        "dropped": 0,
    }


# --- started, finished, cycle time -----------------------------------------------------------


def test_cycle_time_runs_from_first_entry_into_do_to_done():
    finished = action(1, ("plan", 0), ("do", 2), ("check", 5), ("act", 6), ("done", 9))
    assert flow.started_at(finished) == day(2)
    assert flow.finished_at(finished) == day(9)
    assert flow.cycle_time_days(finished) == 7


def test_actions_never_done_have_no_cycle_time():
    open_actions = [
        action(1, ("plan", 0)),
        action(2, ("plan", 0), ("do", 1)),
        action(3, ("plan", 0), ("dropped", 4)),
    ]
    assert [flow.cycle_time_days(a) for a in open_actions] == [None, None, None]
    assert flow.cycle_time(open_actions).count == 0


def test_a_move_back_does_not_restart_the_clock():
    bounced = action(1, ("plan", 0), ("do", 1), ("check", 4), ("do", 5), ("check", 8), ("done", 11))
    assert flow.started_at(bounced) == day(1)
    assert flow.cycle_time_days(bounced) == 10


def test_a_reopened_action_is_not_finished():
    reopened = action(1, ("plan", 0), ("do", 1), ("done", 3), ("act", 4))
    assert flow.finished_at(reopened) is None
    assert flow.cycle_time_days(reopened) is None


def test_finished_again_counts_from_the_last_entry_into_done():
    again = action(1, ("plan", 0), ("do", 1), ("done", 3), ("act", 4), ("done", 6))
    assert flow.finished_at(again) == day(6)
    assert flow.cycle_time_days(again) == 5


def test_an_action_that_skipped_the_work_stages_starts_at_creation():
    skipped = action(1, ("plan", 0), ("done", 2))
    assert flow.started_at(skipped) == day(0)
    assert flow.cycle_time_days(skipped) == 2


def test_an_action_without_history_has_no_start():
    assert flow.started_at(ActionFlow(id=1, stage="do")) is None
    assert flow.finished_at(ActionFlow(id=1, stage="done")) is None


def test_moves_out_of_order_are_sorted():
    shuffled = ActionFlow(
        id=1, stage="done", moves=(Move(day(9), "done"), Move(day(0), "plan"), Move(day(2), "do"))
    )
    assert flow.cycle_time_days(shuffled) == 7


def test_cycle_time_median_and_85th_percentile():
    actions = [
        action(i, ("plan", 0), ("do", 0), ("done", days)) for i, days in enumerate([1, 2, 3, 4, 10], 1)
    ]
    result = flow.cycle_time(actions)
    assert result == flow.CycleTime(count=5, median=3, p85=10)


def test_cycle_time_only_counts_actions_finished_since():
    early = action(1, ("plan", 0), ("do", 0), ("done", 2))
    late = action(2, ("plan", 0), ("do", 10), ("done", 30))
    assert flow.cycle_time([early, late], since=day(5)) == flow.CycleTime(count=1, median=20, p85=20)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [([5], 85, 5), ([1, 2], 50, 1), ([1, 2], 51, 2), (list(range(1, 21)), 85, 17), ([3, 1, 2], 100, 3)],
)
def test_percentile_is_nearest_rank(values, p, expected):
    assert flow.percentile(values, p) == expected


def test_percentile_refuses_nonsense():
    with pytest.raises(ValueError):
        flow.percentile([], 85)
    with pytest.raises(ValueError):
        flow.percentile([1], 0)


# --- throughput ------------------------------------------------------------------------------


def test_throughput_counts_finishes_per_calendar_month():
    actions = [
        action(1, ("plan", 0), ("do", 1), ("done", 3)),  # 8 Jan
        action(2, ("plan", 0), ("do", 1), ("done", 20)),  # 25 Jan
        action(3, ("plan", 0), ("do", 1), ("done", 40)),  # 14 Feb
        action(4, ("plan", 0), ("do", 1), ("done", 3), ("act", 4)),  # reopened: not counted
        action(5, ("plan", 0), ("dropped", 2)),
        action(6, ("plan", 0), ("do", 1), ("done", 400)),  # outside the window
    ]
    assert flow.throughput_per_month(actions, first=date(2026, 1, 1), last=date(2026, 3, 31)) == [
        (date(2026, 1, 1), 2),
        (date(2026, 2, 1), 1),
        (date(2026, 3, 1), 0),
    ]


def test_throughput_counts_in_the_given_time_zone():
    from zoneinfo import ZoneInfo

    # 31 Jan 23:30 UTC is already February in Helsinki.
    late = ActionFlow(
        id=1,
        stage="done",
        moves=(
            Move(datetime(2026, 1, 2, tzinfo=UTC), "plan"),
            Move(datetime(2026, 1, 31, 23, 30, tzinfo=UTC), "done"),
        ),
    )
    months = dict(flow.throughput_per_month([late], first=date(2026, 1, 1), last=date(2026, 2, 28)))
    assert months[date(2026, 1, 1)] == 1
    helsinki = dict(
        flow.throughput_per_month(
            [late], first=date(2026, 1, 1), last=date(2026, 2, 28), tz=ZoneInfo("Europe/Helsinki")
        )
    )
    assert helsinki[date(2026, 2, 1)] == 1


def test_months_between_crosses_the_year():
    assert flow.months_between(date(2025, 11, 30), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


# --- aging and overdue -----------------------------------------------------------------------


def test_aging_lists_work_in_progress_oldest_first():
    actions = [
        action(1, ("plan", 0), ("do", 4)),
        action(2, ("plan", 0), ("do", 1), ("check", 6)),  # started on day 1
        action(3, ("plan", 0)),  # not started
        action(4, ("plan", 0), ("do", 1), ("done", 3)),  # finished
        action(5, ("plan", 0), ("do", 2), ("plan", 3)),  # moved back to plan: not in progress
    ]
    rows = flow.aging(actions, now=day(10))
    assert [(row.id, row.stage, row.days) for row in rows] == [(2, "check", 9), (1, "do", 6)]


def test_overdue_counts_open_actions_past_their_due_date():
    today = date(2026, 2, 1)
    actions = [
        action(1, ("plan", 0), due=date(2026, 1, 31)),  # overdue
        action(2, ("plan", 0), ("do", 1), due=date(2026, 2, 1)),  # due today: not yet
        action(3, ("plan", 0), ("do", 1), ("done", 2), due=date(2026, 1, 1)),  # done
        action(4, ("plan", 0), ("dropped", 1), due=date(2026, 1, 1)),  # dropped
        action(5, ("plan", 0)),  # no due date
    ]
    assert flow.overdue_count(actions, today=today) == 1
    assert flow.is_overdue("act", date(2026, 1, 1), today)
    assert not flow.is_overdue("done", date(2026, 1, 1), today)


# --- cumulative flow -------------------------------------------------------------------------


def test_cumulative_flow_counts_the_stage_at_each_week_end():
    actions = [
        action(1, ("plan", 0), ("do", 3), ("done", 10)),
        action(2, ("plan", 8)),
        action(3, ("plan", 1), ("dropped", 9)),
        action(4, ("plan", 1), ("do", 2), ("check", 12), ("do", 13)),  # a move back
    ]
    weeks = flow.cumulative_flow(actions, ends=[day(1), day(8), day(15)])
    assert [week.counts for week in weeks] == [
        {"done": 0, "act": 0, "check": 0, "do": 0, "plan": 3},
        {"done": 0, "act": 0, "check": 0, "do": 2, "plan": 2},
        {"done": 1, "act": 0, "check": 0, "do": 1, "plan": 1},
    ]


def test_week_ends_are_a_week_apart_ending_now():
    assert flow.week_ends(day(14), 3) == [day(0), day(7), day(14)]
    with pytest.raises(ValueError):
        flow.week_ends(day(0), 0)


def test_stage_at_is_none_before_creation():
    assert flow.stage_at(action(1, ("plan", 5)).ordered_moves(), day(1)) is None


# --- summary ---------------------------------------------------------------------------------


def test_summary_puts_the_metrics_together():
    now = day(40)
    actions = [
        action(1, ("plan", 0), ("do", 2), ("done", 12)),
        action(2, ("plan", 0), ("do", 5), due=date(2026, 1, 10)),
        action(3, ("plan", 30)),
    ]
    summary = flow.summary(actions, now=now, months=2, weeks=4)
    assert summary.wip["do"] == 1 and summary.in_progress == 1
    assert summary.throughput == [(date(2026, 1, 1), 1), (date(2026, 2, 1), 0)]
    assert summary.finished_in_window == 1
    assert summary.cycle_time == flow.CycleTime(count=1, median=10, p85=10)
    assert [row.id for row in summary.aging] == [2]
    assert summary.overdue == 1
    assert summary.cumulative_flow[-1].counts == {"done": 1, "act": 0, "check": 0, "do": 1, "plan": 1}
