"""The DORA maths on plain records: no database."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

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
        first_commit_at=deployed - timedelta(hours=lead_hours),
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
    assert keys.deployments == 0
    assert keys.deployments_per_day == 0
    assert keys.lead_time is None and keys.lead_time_samples == 0
    assert keys.change_failure_rate is None
    assert keys.recovery_time is None
    assert keys.rework_rate is None
    assert dora.assess(keys) is None


def test_no_deployments_but_an_incident_counts_the_incident_only():
    keys = dora.compute_keys([], [incident(3, hours=1)], WINDOW)
    assert keys.incidents == 1
    assert keys.change_failure_rate is None
    assert dora.assess(keys) is None


def test_one_deployment():
    keys = dora.compute_keys([deployment(1, 10, lead_hours=30)], [], WINDOW)
    assert keys.deployments == 1
    assert keys.deployments_per_day == pytest.approx(1 / 90)
    assert keys.lead_time == timedelta(hours=30)
    assert keys.change_failure_rate == 0
    assert keys.recovery_time is None
    performance = dora.assess(keys)
    assert performance is not None
    assert performance.levels[Key.DEPLOYMENT_FREQUENCY] is Level.LOW  # once in 90 days
    assert performance.levels[Key.LEAD_TIME] is Level.HIGH
    assert Key.RECOVERY_TIME not in performance.levels


def test_one_failed_deployment_without_recovery():
    keys = dora.compute_keys([deployment(1, 10, succeeded=False)], [], WINDOW)
    assert keys.change_failure_rate == 1
    assert keys.lead_time is None  # a failed deployment brought no change to production
    assert keys.recovery_time is None
    assert keys.unrecovered_deployments == 1


def test_open_incident_counts_as_failure_but_not_as_recovery():
    deployments = [deployment(1, 10), deployment(2, 9)]
    keys = dora.compute_keys(deployments, [incident(10, deployment=1)], WINDOW)
    assert keys.failed_deployments == 1
    assert keys.change_failure_rate == 0.5
    assert keys.recovery_time is None
    assert keys.unrecovered_deployments == 1
    assert keys.open_incidents == 1


def test_incident_without_deployment_is_no_change_failure_and_no_recovery():
    deployments = [deployment(1, 10), deployment(2, 9)]
    keys = dora.compute_keys(deployments, [incident(5, hours=3)], WINDOW)
    assert keys.incidents == 1
    assert keys.failed_deployments == 0
    assert keys.recovery_samples == 0


def test_incident_outside_the_window_is_not_counted():
    keys = dora.compute_keys([deployment(1, 10)], [incident(120, hours=1)], WINDOW)
    assert keys.incidents == 0


# --- the keys


def test_deployment_frequency_counts_deployments_in_the_window_only():
    deployments = [deployment(i, days) for i, days in enumerate([1, 2, 3, 89, 91, 200])]
    keys = dora.compute_keys(deployments, [], WINDOW)
    assert keys.deployments == 4
    assert keys.deployments_per_week == pytest.approx(4 / 90 * 7)


def test_lead_time_is_the_median_of_successful_deployments():
    deployments = [
        deployment(1, 1, lead_hours=1),
        deployment(2, 2, lead_hours=10),
        deployment(3, 3, lead_hours=100),
        deployment(4, 4, lead_hours=1000, succeeded=False),
    ]
    keys = dora.compute_keys(deployments, [], WINDOW)
    assert keys.lead_time == timedelta(hours=10)
    assert keys.lead_time_samples == 3


def test_lead_time_median_of_an_even_count_is_the_mean_of_the_middle_two():
    keys = dora.compute_keys([deployment(1, 1, lead_hours=2), deployment(2, 2, lead_hours=4)], [], WINDOW)
    assert keys.lead_time == timedelta(hours=3)


def test_change_failure_rate_counts_failed_status_and_incident_causes_once():
    deployments = [deployment(i, i) for i in range(1, 9)] + [
        deployment(9, 9, succeeded=False),
        deployment(10, 10, succeeded=False),
    ]
    incidents = [
        incident(2, hours=1, deployment=1),
        incident(2, hours=2, deployment=1),
        incident(9, hours=1, deployment=9),
    ]
    keys = dora.compute_keys(deployments, incidents, WINDOW)
    assert keys.failed_deployments == 3  # 1 (two incidents), 9 (failed and an incident), 10
    assert keys.change_failure_rate == pytest.approx(0.3)


def test_recovery_from_incidents_runs_from_first_start_to_last_resolution():
    deployments = [deployment(1, 5)]
    started = NOW - timedelta(days=4)
    incidents = [
        IncidentRecord(started_at=started, resolved_at=started + timedelta(hours=1), deployment=1),
        IncidentRecord(
            started_at=started + timedelta(minutes=30), resolved_at=started + timedelta(hours=3), deployment=1
        ),
    ]
    keys = dora.compute_keys(deployments, incidents, WINDOW)
    assert keys.recovery_time == timedelta(hours=3)
    assert keys.recovery_samples == 1


def test_failed_deployment_recovers_with_the_next_successful_one_of_the_same_service_and_environment():
    failed = deployment(1, 10, succeeded=False)
    deployments = [
        failed,
        deployment(2, 9.5, service="api"),  # another service does not fix it
        deployment(3, 9.25, env="staging"),  # nor does another environment
        deployment(4, 9.0, succeeded=False, service="api"),  # a failure fixes nothing (and never recovers)
        deployment(5, 8.5),
    ]
    keys = dora.compute_keys(deployments, [], WINDOW)
    assert keys.recovery_time == timedelta(days=1.5)
    assert (keys.recovery_samples, keys.unrecovered_deployments) == (1, 1)


def test_recovery_may_come_after_the_period():
    period = Period(NOW - timedelta(days=30), NOW - timedelta(days=10))
    deployments = [deployment(1, 11, succeeded=False), deployment(2, 9)]
    keys = dora.compute_keys(deployments, [], period)
    assert keys.deployments == 1
    assert keys.recovery_time == timedelta(days=2)


def test_recovery_time_is_the_median_over_failed_deployments():
    deployments = [deployment(i, 20 - i) for i in range(1, 4)]
    incidents = [
        incident(19, hours=1, deployment=1),
        incident(18, hours=5, deployment=2),
        incident(17, hours=30, deployment=3),
    ]
    keys = dora.compute_keys(deployments, incidents, WINDOW)
    assert keys.recovery_time == timedelta(hours=5)
    assert keys.recovery_samples == 3


def test_rework_rate():
    deployments = [deployment(1, 1, rework=True), deployment(2, 2), deployment(3, 3), deployment(4, 4)]
    keys = dora.compute_keys(deployments, [], WINDOW)
    assert keys.rework_deployments == 1
    assert keys.rework_rate == 0.25


# --- periods


def test_month_periods_end_with_the_current_partial_month():
    periods = dora.month_periods(NOW, 3)
    assert [p.start for p in periods] == [
        datetime(2025, 4, 1, tzinfo=UTC),
        datetime(2025, 5, 1, tzinfo=UTC),
        datetime(2025, 6, 1, tzinfo=UTC),
    ]
    assert periods[0].end == periods[1].start
    assert periods[-1].end == NOW


def test_month_periods_cross_the_year_in_the_given_time_zone():
    zone = ZoneInfo("Europe/Berlin")
    periods = dora.month_periods(datetime(2025, 1, 31, 23, 30, tzinfo=UTC), 2, zone)
    # 23:30 UTC on 31 January is already February in Berlin.
    assert [p.start for p in periods] == [
        datetime(2025, 1, 1, tzinfo=zone),
        datetime(2025, 2, 1, tzinfo=zone),
    ]


def test_monthly_keys_put_each_deployment_in_its_month():
    deployments = [deployment(1, 1), deployment(2, 20), deployment(3, 40)]  # 14 June, 26 May, 6 May
    months = dora.monthly_keys(deployments, [], now=NOW, months=3)
    assert [m.deployments for m in months] == [0, 2, 1]


def test_period_days_and_membership_are_half_open():
    period = Period(NOW - timedelta(days=2), NOW)
    assert period.days == 2
    assert NOW - timedelta(days=2) in period
    assert NOW not in period


# --- levels from the 2023 report's clusters


@pytest.mark.parametrize(
    ("per_day", "level"),
    [
        (3, Level.ELITE),
        (1, Level.ELITE),
        (0.99, Level.HIGH),
        (1 / 7, Level.HIGH),
        (0.1, Level.MEDIUM),
        (1 / 30, Level.MEDIUM),
        (0.03, Level.LOW),
        (0, Level.LOW),
    ],
)
def test_deployment_frequency_levels(per_day, level):
    assert dora.deployment_frequency_level(per_day) is level


@pytest.mark.parametrize(
    ("hours", "level"),
    [
        (0.5, Level.ELITE),
        (24, Level.ELITE),
        (25, Level.HIGH),
        (168, Level.HIGH),
        (169, Level.MEDIUM),
        (720, Level.MEDIUM),
        (721, Level.LOW),
    ],
)
def test_lead_time_levels(hours, level):
    assert dora.lead_time_level(timedelta(hours=hours)) is level


@pytest.mark.parametrize(
    ("rate", "level"),
    [
        (0, Level.ELITE),
        (0.05, Level.ELITE),
        (0.06, Level.HIGH),
        (0.10, Level.HIGH),
        (0.15, Level.MEDIUM),
        (0.16, Level.LOW),
        (1, Level.LOW),
    ],
)
def test_change_failure_levels(rate, level):
    assert dora.change_failure_level(rate) is level


@pytest.mark.parametrize(
    ("hours", "level"),
    [
        (0.2, Level.ELITE),
        (1, Level.ELITE),
        (2, Level.HIGH),
        (24, Level.HIGH),
        (100, Level.MEDIUM),
        (168, Level.MEDIUM),
        (169, Level.LOW),
    ],
)
def test_recovery_levels(hours, level):
    assert dora.recovery_level(timedelta(hours=hours)) is level


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (Key.DEPLOYMENT_FREQUENCY, 0.5),
        (Key.DEPLOYMENT_FREQUENCY, 1 / 7),
        (Key.DEPLOYMENT_FREQUENCY, 0.001),
        (Key.LEAD_TIME, timedelta(hours=30)),
        (Key.LEAD_TIME, timedelta(days=7)),
        (Key.LEAD_TIME, timedelta(days=400)),
        (Key.CHANGE_FAILURE_RATE, 0.12),
        (Key.CHANGE_FAILURE_RATE, 0.9),
        (Key.RECOVERY_TIME, timedelta(minutes=10)),
        (Key.RECOVERY_TIME, timedelta(days=3)),
    ],
)
def test_key_points_fall_in_the_band_of_the_keys_level(key, value):
    band = {
        Key.DEPLOYMENT_FREQUENCY: dora.deployment_frequency_level,
        Key.LEAD_TIME: dora.lead_time_level,
        Key.CHANGE_FAILURE_RATE: dora.change_failure_level,
        Key.RECOVERY_TIME: dora.recovery_level,
    }[key](value)
    points = dora.key_points(key, value)
    assert band.points <= points < band.points + 1 or points == 3 == band.points


def test_key_points_grow_as_delivery_improves():
    slower = dora.key_points(Key.LEAD_TIME, timedelta(days=5))
    faster = dora.key_points(Key.LEAD_TIME, timedelta(days=2))
    assert 2 <= slower < faster < 3


def test_elite_on_every_key_is_elite_with_score_100():
    deployments = [deployment(i, i / 2, lead_hours=2) for i in range(1, 170)]
    keys = dora.compute_keys(deployments, [incident(1, hours=0.5, deployment=1)], WINDOW)
    performance = dora.assess(keys)
    assert performance.level is Level.ELITE
    assert performance.score == 100
    assert set(performance.levels.values()) == {Level.ELITE}


def test_level_is_the_one_the_keys_reach_on_average():
    # Daily deployments (elite), lead time a few days (high), a quarter failing (low), recovery
    # in half a day (high): points 3 + 2.x + 0.x + 2.x average to high.
    deployments = [deployment(i, i * 0.9, lead_hours=60, succeeded=i % 4 != 0) for i in range(1, 100)]
    keys = dora.compute_keys(deployments, [], WINDOW)
    performance = dora.assess(keys)
    assert performance.levels[Key.DEPLOYMENT_FREQUENCY] is Level.ELITE
    assert performance.levels[Key.LEAD_TIME] is Level.HIGH
    assert performance.levels[Key.CHANGE_FAILURE_RATE] is Level.LOW
    assert performance.level is Level.HIGH
    assert 66.7 <= performance.score < 100


def test_slow_rare_failing_delivery_is_low():
    deployments = [deployment(i, i * 20, lead_hours=24 * 60, succeeded=i % 2 == 0) for i in range(1, 5)]
    performance = dora.assess(dora.compute_keys(deployments, [], WINDOW))
    assert performance.level is Level.LOW
    assert performance.score < 33.4


def test_thresholds_name_their_source():
    assert "2023" in dora.THRESHOLDS_SOURCE
