"""The DORA 2024 maths on plain records: no database."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from delivery import dora
from delivery.dora import DeploymentRecord, IncidentRecord, Key, Level, Period

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
WINDOW = dora.window(NOW, 90)


def deployment(
    key, days_ago, *, lead_hours=5.0, succeeded=True, rework=False, service="web", env="production"
):
    deployed = NOW - timedelta(days=days_ago)
    return DeploymentRecord(
        key=key,
        deployed_at=deployed,
        first_commit_at=deployed - timedelta(hours=lead_hours) if lead_hours is not None else None,
        succeeded=succeeded,
        is_rework=rework,
        service=service,
        environment=env,
    )


def incident(days_ago, *, hours=None, deployment=None):
    started = NOW - timedelta(days=days_ago)
    resolved = started + timedelta(hours=hours) if hours is not None else None
    return IncidentRecord(started_at=started, resolved_at=resolved, deployment=deployment)


# --- edge cases


def test_no_deployments_gives_zero_frequency_and_no_rates_and_no_level():
    keys = dora.compute_keys([], [], WINDOW)
    assert keys.deployments == 0 and keys.deployments_per_day == 0
    assert keys.lead_time is None and keys.lead_time_samples == 0
    assert keys.change_fail_rate is None and keys.rework_rate is None and keys.instability is None
    assert keys.recovery_time is None
    assert dora.assess(keys) is None


def test_an_incident_without_deployments_counts_the_incident_only():
    keys = dora.compute_keys([], [incident(3, hours=1)], WINDOW)
    assert keys.incidents == 1
    assert keys.change_fail_rate is None
    assert dora.assess(keys) is None


def test_one_deployment():
    keys = dora.compute_keys([deployment(1, 10, lead_hours=30)], [], WINDOW)
    assert keys.deployments == 1
    assert keys.deployments_per_day == pytest.approx(1 / 90)
    assert keys.lead_time == timedelta(hours=30)
    assert keys.change_fail_rate == 0
    performance = dora.assess(keys)
    assert performance.levels[Key.DEPLOYMENT_FREQUENCY] is Level.LOW  # once in 90 days
    assert performance.levels[Key.CHANGE_LEAD_TIME] is Level.HIGH
    assert Key.RECOVERY_TIME not in performance.levels


# --- DORA 2024: failed attempts are not deployments, failures are remediations


def test_a_pipeline_run_that_never_reached_production_is_a_failed_attempt_not_a_deployment():
    keys = dora.compute_keys([deployment(1, 10, succeeded=False), deployment(2, 9)], [], WINDOW)
    assert keys.deployments == 1
    assert keys.failed_attempts == 1
    assert keys.change_failures == 0 and keys.change_fail_rate == 0
    assert keys.lead_time_samples == 1


def test_a_linked_incident_makes_a_change_failure_recovered_when_resolved():
    deployments = [deployment(1, 10), deployment(2, 9)]
    keys = dora.compute_keys(deployments, [incident(9.9, hours=3, deployment=1)], WINDOW)
    assert keys.change_failures == 1 and keys.change_fail_rate == 0.5
    assert keys.recovery_time == timedelta(hours=3) and keys.recovery_samples == 1


def test_an_open_incident_is_a_failure_but_not_yet_a_recovery():
    keys = dora.compute_keys([deployment(1, 10)], [incident(9.9, deployment=1)], WINDOW)
    assert keys.change_failures == 1 and keys.unrecovered == 1
    assert keys.recovery_time is None


def test_a_hotfix_or_rollback_remediates_the_deployment_before_it():
    deployments = [deployment(1, 10), deployment(2, 10 - 2 / 24, rework=True), deployment(3, 5)]
    failures = dora.change_failures(deployments, [])
    assert set(failures) == {1}
    assert failures[1].reason == "rework" and failures[1].remediated_by == 2
    assert failures[1].recovery == timedelta(hours=2)
    keys = dora.compute_keys(deployments, [], WINDOW)
    assert keys.change_failures == 1 and keys.rework_deployments == 1
    assert keys.change_fail_rate == pytest.approx(1 / 3)
    assert keys.rework_rate == pytest.approx(1 / 3)
    assert keys.instability == pytest.approx(1 / 3)


def test_rework_of_another_service_remediates_nothing_here():
    deployments = [deployment(1, 10, service="web"), deployment(2, 9, rework=True, service="api")]
    assert dora.change_failures(deployments, []) == {}


def test_an_incident_counts_once_even_when_rework_followed():
    deployments = [deployment(1, 10), deployment(2, 9.9, rework=True)]
    failures = dora.change_failures(deployments, [incident(9.95, hours=1, deployment=1)])
    assert failures[1].reason == "incident"
    assert (
        dora.compute_keys(deployments, [incident(9.95, hours=1, deployment=1)], WINDOW).change_failures == 1
    )


def test_an_incident_no_deployment_caused_is_no_change_failure():
    keys = dora.compute_keys([deployment(1, 10)], [incident(5, hours=2)], WINDOW)
    assert keys.change_failures == 0 and keys.incidents == 1
    assert keys.recovery_samples == 0


def test_recovery_from_incidents_runs_from_first_start_to_last_resolution():
    incidents = [incident(9.9, hours=1, deployment=1), incident(9.8, hours=4, deployment=1)]
    keys = dora.compute_keys([deployment(1, 10)], incidents, WINDOW)
    assert keys.recovery_time == timedelta(hours=0.1 * 24 + 4)


def test_remediation_after_the_period_still_counts_for_the_deployment_in_it():
    period = Period(NOW - timedelta(days=20), NOW - timedelta(days=10))
    deployments = [deployment(1, 11), deployment(2, 9, rework=True)]
    keys = dora.compute_keys(deployments, [], period)
    assert keys.deployments == 1 and keys.change_failures == 1
    assert keys.recovery_time == timedelta(days=2)


def test_lead_time_is_the_median_and_unknown_commit_times_are_counted_apart():
    deployments = [
        deployment(1, 5, lead_hours=2),
        deployment(2, 4, lead_hours=10),
        deployment(3, 3, lead_hours=None),
    ]
    keys = dora.compute_keys(deployments, [], WINDOW)
    assert keys.lead_time == timedelta(hours=6)
    assert keys.lead_time_samples == 2 and keys.without_lead_time == 1


def test_deployments_outside_the_window_are_not_counted():
    keys = dora.compute_keys([deployment(1, 100), deployment(2, 10)], [incident(100, hours=1)], WINDOW)
    assert keys.deployments == 1 and keys.incidents == 0


# --- periods


def test_month_periods_end_with_the_current_partial_month():
    periods = dora.month_periods(NOW, 3)
    assert [p.start.month for p in periods] == [4, 5, 6]
    assert periods[-1].end == NOW and periods[-1].partial
    assert not any(p.partial for p in periods[:-1])
    assert periods[0].end == periods[1].start


def test_month_periods_cross_the_year_in_the_given_time_zone():
    madrid = ZoneInfo("Europe/Madrid")
    periods = dora.month_periods(datetime(2025, 1, 10, tzinfo=UTC), 2, madrid)
    assert periods[0].start == datetime(2024, 12, 1, tzinfo=madrid)


def test_period_days_and_membership_are_half_open():
    period = Period(NOW - timedelta(days=2), NOW)
    assert period.days == 2
    assert NOW - timedelta(days=2) in period and NOW not in period


# --- levels from the 2024 clusters


@pytest.mark.parametrize(
    ("per_day", "level"),
    [(3, Level.ELITE), (1, Level.ELITE), (0.5, Level.HIGH), (1 / 7, Level.HIGH), (1 / 20, Level.MEDIUM),
     (1 / 30, Level.MEDIUM), (1 / 60, Level.LOW)],
)  # fmt: skip
def test_deployment_frequency_levels(per_day, level):
    assert dora.key_level(Key.DEPLOYMENT_FREQUENCY, per_day) is level


@pytest.mark.parametrize(
    ("hours", "level"),
    [(2, Level.ELITE), (24, Level.ELITE), (48, Level.HIGH), (24 * 7, Level.HIGH), (24 * 20, Level.MEDIUM),
     (24 * 30, Level.MEDIUM), (24 * 60, Level.LOW)],
)  # fmt: skip
def test_change_lead_time_levels(hours, level):
    assert dora.key_level(Key.CHANGE_LEAD_TIME, timedelta(hours=hours)) is level


@pytest.mark.parametrize(
    ("rate", "level"),
    [(0.0, Level.ELITE), (0.05, Level.ELITE), (0.10, Level.HIGH), (0.20, Level.HIGH), (0.21, Level.LOW),
     (0.40, Level.LOW)],
)  # fmt: skip
def test_change_fail_rate_levels_take_the_better_cluster_where_they_are_out_of_order(rate, level):
    # 2024: high 20 %, medium 10 %: a 10 % team meets high's value, so it is high.
    assert dora.key_level(Key.CHANGE_FAIL_RATE, rate) is level


@pytest.mark.parametrize(
    ("hours", "level"),
    [(0.5, Level.ELITE), (1, Level.ELITE), (12, Level.HIGH), (24, Level.HIGH), (48, Level.LOW),
     (24 * 20, Level.LOW)],
)  # fmt: skip
def test_recovery_levels_take_the_better_cluster_where_they_overlap(hours, level):
    # 2024: high and medium are both "less than one day": the better one counts.
    assert dora.key_level(Key.RECOVERY_TIME, timedelta(hours=hours)) is level


def test_change_fail_rate_and_recovery_alone_never_say_medium():
    rates = [dora.key_level(Key.CHANGE_FAIL_RATE, r / 100) for r in range(0, 101)]
    times = [dora.key_level(Key.RECOVERY_TIME, timedelta(hours=h)) for h in range(0, 24 * 60)]
    assert Level.MEDIUM not in rates and Level.MEDIUM not in times


@given(
    key=st.sampled_from(list(dora.BANDS)),
    value=st.floats(min_value=1e-6, max_value=1e8, allow_nan=False),
)
def test_key_points_fall_in_the_band_of_the_keys_level(key, value):
    amount = timedelta(seconds=value) if key in (Key.CHANGE_LEAD_TIME, Key.RECOVERY_TIME) else value
    if key is Key.CHANGE_FAIL_RATE:
        amount = min(value, 1.0)
    points = dora.key_points(key, amount)
    level = dora.key_level(key, amount)
    assert level.points <= points <= level.points + 1
    assert (points == 3.0) == (level is Level.ELITE)


@given(
    a=st.floats(min_value=1e-4, max_value=5, allow_nan=False),
    b=st.floats(min_value=1e-4, max_value=5, allow_nan=False),
)
def test_more_frequent_deployment_never_scores_lower(a, b):
    low, high = sorted((a, b))
    assert dora.key_points(Key.DEPLOYMENT_FREQUENCY, low) <= dora.key_points(Key.DEPLOYMENT_FREQUENCY, high)


def test_elite_on_every_key_is_elite_with_score_100():
    deployments = [deployment(n, n / 4, lead_hours=2) for n in range(1, 300)]
    deployments.append(deployment(1000, 3.01, lead_hours=2))
    incidents = [incident(3, hours=0.5, deployment=1000)]
    performance = dora.assess(dora.compute_keys(deployments, incidents, WINDOW))
    assert performance.level is Level.ELITE and performance.score == 100.0
    assert performance.throughput == 100.0


def test_slow_rare_failing_delivery_is_low():
    # Two deployments in 90 days, a quarter of lead time, each causing a ten-day incident.
    deployments = [deployment(1, 40, lead_hours=24 * 90), deployment(2, 80, lead_hours=24 * 90)]
    incidents = [incident(39, hours=24 * 10, deployment=1), incident(79, hours=24 * 10, deployment=2)]
    performance = dora.assess(dora.compute_keys(deployments, incidents, WINDOW))
    assert performance.level is Level.LOW


def test_the_level_is_the_one_the_keys_reach_on_average():
    # Daily deployments (elite), a week of lead time (high), no failures (elite): high on average.
    deployments = [deployment(n, n, lead_hours=24 * 6.5) for n in range(1, 89)]
    performance = dora.assess(dora.compute_keys(deployments, [], WINDOW))
    assert performance.levels[Key.CHANGE_LEAD_TIME] is Level.HIGH
    assert performance.level is Level.HIGH


def test_the_levels_name_their_report_and_year():
    assert dora.LEVELS_YEAR == 2024
    assert "2024" in dora.THRESHOLDS_SOURCE
    assert [key.value for key in dora.THROUGHPUT] == [
        "deployment_frequency",
        "change_lead_time",
        "failed_deployment_recovery_time",
    ]
    assert [key.value for key in dora.INSTABILITY] == ["change_fail_rate", "deployment_rework_rate"]
