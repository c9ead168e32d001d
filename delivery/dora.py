"""DORA's software delivery keys from plain records: pure, no Django, no database.

The keys follow the DORA research programme's definitions:

- deployment frequency: deployments per day in the period (each reported deployment counts,
  failed ones too: a failed deployment still went out);
- lead time for changes: median time from the first commit to a successful deployment;
- change failure rate: share of deployments that failed (status ``failure``) or caused an
  incident;
- failed-deployment recovery time: median time from a failed deployment's failure to its
  recovery. For a deployment that caused incidents that is from the first incident's start to
  the last one's resolution; for a failed deployment without an incident it is the time until
  the next successful deployment of the same service to the same environment (the fix or the
  rollback). Incidents without a causing deployment are not change failures and stay out (DORA
  renamed "time to restore service" to this key in 2023 for exactly that reason);
- rework rate: share of deployments the pipeline marked as unplanned fixes (added in 2024).

A deployment belongs to the period it was deployed in; its failure and recovery go with it, so
change failure rate and recovery time of a month always describe that month's deployments.

Levels come from the performance clusters of Google Cloud's *Accelerate State of DevOps Report
2023* (DORA), "Software delivery performance" table:

    level   deployment frequency          lead time                  change failure  recovery time
    elite   on demand (several a day)     less than one day          5 %             less than one hour
    high    daily to weekly               one day to one week        10 %            less than one day
    medium  weekly to monthly             one week to one month      15 %            one day to one week
    low     (less often than medium)      (slower than medium)       64 %            one to six months

The report's clusters come from a cluster analysis over all four keys at once, and its low
cluster shares the medium ranges for frequency and lead time. A single team cannot be clustered,
so each key is banded on its own at the cluster edges above (a value at an edge counts for the
better level; "less often/slower than medium" is low; a recovery between a week and a month is
low) and the team's level is the one reached on average (see :func:`assess`). The report gives no
level for rework rate, so it has none here.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum

THRESHOLDS_SOURCE = "Accelerate State of DevOps Report 2023 (DORA, Google Cloud)"


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    ELITE = "elite"

    @property
    def points(self) -> int:
        """0 for low … 3 for elite."""
        return list(Level).index(self)


class Key(StrEnum):
    DEPLOYMENT_FREQUENCY = "deployment_frequency"
    LEAD_TIME = "lead_time"
    CHANGE_FAILURE_RATE = "change_failure_rate"
    RECOVERY_TIME = "recovery_time"


# Band edges, best first: the elite, high and medium edges of the 2023 clusters. The fourth value
# only shapes the score inside the low band (where a key reaches 0 points): the slow end of the
# 2023 low cluster (six months; 64 % failures; once every six months, the 2021 report's low edge).
DEPLOYMENTS_PER_DAY_EDGES = (1.0, 1 / 7, 1 / 30, 1 / 182.5)
LEAD_TIME_EDGES = (timedelta(days=1), timedelta(weeks=1), timedelta(days=30), timedelta(days=182.5))
CHANGE_FAILURE_EDGES = (0.05, 0.10, 0.15, 0.64)
RECOVERY_EDGES = (timedelta(hours=1), timedelta(days=1), timedelta(weeks=1), timedelta(days=182.5))


@dataclass(frozen=True, slots=True)
class DeploymentRecord:
    """One deployment as the keys need it; ``key`` links incidents to it."""

    key: Hashable
    deployed_at: datetime
    first_commit_at: datetime
    succeeded: bool = True
    is_rework: bool = False
    service: str = ""
    environment: str = ""


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    started_at: datetime
    resolved_at: datetime | None = None
    deployment: Hashable | None = None  # the ``key`` of the deployment that caused it, if known


@dataclass(frozen=True, slots=True)
class Period:
    """Half-open: from ``start`` (included) to ``end`` (excluded)."""

    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return max((self.end - self.start).total_seconds(), 0.0) / 86_400

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True, slots=True)
class Keys:
    """The delivery keys of one period, with the counts behind them."""

    period: Period
    deployments: int
    failed_deployments: int
    rework_deployments: int
    lead_time: timedelta | None
    lead_time_samples: int
    recovery_time: timedelta | None
    recovery_samples: int
    unrecovered_deployments: int
    incidents: int
    open_incidents: int

    @property
    def deployments_per_day(self) -> float:
        return self.deployments / self.period.days if self.period.days else 0.0

    @property
    def deployments_per_week(self) -> float:
        return self.deployments_per_day * 7

    @property
    def change_failure_rate(self) -> float | None:
        return self.failed_deployments / self.deployments if self.deployments else None

    @property
    def rework_rate(self) -> float | None:
        return self.rework_deployments / self.deployments if self.deployments else None


@dataclass(frozen=True, slots=True)
class Performance:
    """A team's level: a 0–100 score, the level it reaches, and each key's own level."""

    score: float
    level: Level
    levels: dict[Key, Level]


def median_duration(durations: Sequence[timedelta]) -> timedelta | None:
    """The median of the durations, or None for none."""
    if not durations:
        return None
    return timedelta(seconds=statistics.median(d.total_seconds() for d in durations))


def compute_keys(
    deployments: Iterable[DeploymentRecord], incidents: Iterable[IncidentRecord], period: Period
) -> Keys:
    """The keys of one period from every deployment and incident known around it.

    Pass deployments after the period too: a failed deployment's recovery may be a later one.
    """
    deployments = sorted(deployments, key=lambda d: d.deployed_at)
    incidents = list(incidents)
    in_period = [d for d in deployments if d.deployed_at in period]

    incidents_by_deployment: dict[Hashable, list[IncidentRecord]] = defaultdict(list)
    for incident in incidents:
        if incident.deployment is not None:
            incidents_by_deployment[incident.deployment].append(incident)

    failed = [d for d in in_period if not d.succeeded or d.key in incidents_by_deployment]
    recoveries: list[timedelta] = []
    for deployment in failed:
        recovered_in = _recovery(deployment, incidents_by_deployment.get(deployment.key, []), deployments)
        if recovered_in is not None:
            recoveries.append(recovered_in)
    lead_times = [d.deployed_at - d.first_commit_at for d in in_period if d.succeeded]
    started = [i for i in incidents if i.started_at in period]

    return Keys(
        period=period,
        deployments=len(in_period),
        failed_deployments=len(failed),
        rework_deployments=sum(1 for d in in_period if d.is_rework),
        lead_time=median_duration(lead_times),
        lead_time_samples=len(lead_times),
        recovery_time=median_duration(recoveries),
        recovery_samples=len(recoveries),
        unrecovered_deployments=len(failed) - len(recoveries),
        incidents=len(started),
        open_incidents=sum(1 for i in started if i.resolved_at is None),
    )


def _recovery(
    deployment: DeploymentRecord, caused: list[IncidentRecord], deployments: list[DeploymentRecord]
) -> timedelta | None:
    if caused:
        # Recovered when the last of its incidents is resolved; not yet while one is open.
        if any(i.resolved_at is None for i in caused):
            return None
        start = min(i.started_at for i in caused)
        return max(max(i.resolved_at for i in caused) - start, timedelta(0))  # type: ignore[type-var]
    for later in deployments:
        if (
            later.deployed_at > deployment.deployed_at
            and later.succeeded
            and later.service == deployment.service
            and later.environment == deployment.environment
        ):
            return later.deployed_at - deployment.deployed_at
    return None


def window(now: datetime, days: int = 90) -> Period:
    """The rolling window of ``days`` days that ends now."""
    return Period(now - timedelta(days=days), now)


def month_periods(now: datetime, count: int = 12, tz: tzinfo = UTC) -> list[Period]:
    """The last ``count`` calendar months in ``tz``, oldest first; the current one ends now."""
    local = now.astimezone(tz)
    year, month = local.year, local.month
    starts: list[datetime] = []
    for _ in range(count):
        starts.append(datetime(year, month, 1, tzinfo=tz))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    ends = [*starts[1:], now]
    return [Period(start, end) for start, end in zip(starts, ends, strict=True)]


def monthly_keys(
    deployments: Sequence[DeploymentRecord],
    incidents: Sequence[IncidentRecord],
    *,
    now: datetime,
    months: int = 12,
    tz: tzinfo = UTC,
) -> list[Keys]:
    """The keys of each of the last ``months`` calendar months, oldest first."""
    return [compute_keys(deployments, incidents, period) for period in month_periods(now, months, tz)]


def deployment_frequency_level(per_day: float) -> Level:
    """Elite at one deployment a day or more, high weekly, medium monthly, low below."""
    return _level_higher_is_better(per_day, DEPLOYMENTS_PER_DAY_EDGES)


def lead_time_level(lead_time: timedelta) -> Level:
    """Elite up to a day, high up to a week, medium up to a month, low beyond."""
    return _level_lower_is_better(lead_time.total_seconds(), [e.total_seconds() for e in LEAD_TIME_EDGES])


def change_failure_level(rate: float) -> Level:
    """Elite up to 5 %, high up to 10 %, medium up to 15 %, low beyond."""
    return _level_lower_is_better(rate, CHANGE_FAILURE_EDGES)


def recovery_level(recovery: timedelta) -> Level:
    """Elite up to an hour, high up to a day, medium up to a week, low beyond."""
    return _level_lower_is_better(recovery.total_seconds(), [e.total_seconds() for e in RECOVERY_EDGES])


def _level_higher_is_better(value: float, edges: Sequence[float]) -> Level:
    for level, edge in zip((Level.ELITE, Level.HIGH, Level.MEDIUM), edges, strict=False):
        if value >= edge:
            return level
    return Level.LOW


def _level_lower_is_better(value: float, edges: Sequence[float]) -> Level:
    for level, edge in zip((Level.ELITE, Level.HIGH, Level.MEDIUM), edges, strict=False):
        if value <= edge:
            return level
    return Level.LOW


def key_points(key: Key, value: float | timedelta) -> float:
    """0–3 points for one key: the level's points plus how far into its band the value is.

    Frequency, lead time and recovery are placed on a log scale (their bands widen sevenfold
    or more), failure rate on a linear one. Elite is 3 however far beyond its edge.
    """
    if key is Key.DEPLOYMENT_FREQUENCY:
        assert isinstance(value, float | int)
        return _points(float(value), DEPLOYMENTS_PER_DAY_EDGES, higher_is_better=True, log=True)
    if key is Key.CHANGE_FAILURE_RATE:
        assert isinstance(value, float | int)
        return _points(float(value), CHANGE_FAILURE_EDGES, higher_is_better=False, log=False)
    assert isinstance(value, timedelta)
    edges = LEAD_TIME_EDGES if key is Key.LEAD_TIME else RECOVERY_EDGES
    return _points(
        value.total_seconds(), [e.total_seconds() for e in edges], higher_is_better=False, log=True
    )


def _points(value: float, edges: Sequence[float], *, higher_is_better: bool, log: bool) -> float:
    level = (_level_higher_is_better if higher_is_better else _level_lower_is_better)(value, edges)
    if level is Level.ELITE:
        return 3.0
    # The band runs from the worse edge (0) to the better edge (1); the level's points come first.
    better, worse = edges[2 - level.points], edges[3 - level.points]

    def scale(x: float) -> float:
        return math.log(max(x, 1e-12)) if log else x

    span = scale(better) - scale(worse)
    fraction = (scale(value) - scale(worse)) / span if span else 0.0
    # Just below the better edge counts as nearly, never fully, reaching it.
    return level.points + min(max(fraction, 0.0), 0.999)


def assess(keys: Keys) -> Performance | None:
    """The team's level over the period, or None without a deployment to judge.

    The score is the mean of the keys' points (0–3) that have data, scaled to 0–100; the level
    is the one whose points that mean reaches (three elite keys and a high one make high).
    """
    if not keys.deployments:
        return None
    values: dict[Key, float | timedelta] = {Key.DEPLOYMENT_FREQUENCY: keys.deployments_per_day}
    if keys.lead_time is not None:
        values[Key.LEAD_TIME] = keys.lead_time
    if keys.change_failure_rate is not None:
        values[Key.CHANGE_FAILURE_RATE] = keys.change_failure_rate
    if keys.recovery_time is not None:
        values[Key.RECOVERY_TIME] = keys.recovery_time
    points = {key: key_points(key, value) for key, value in values.items()}
    mean = sum(points.values()) / len(points)
    levels = {key: list(Level)[min(int(p), 3)] for key, p in points.items()}
    return Performance(score=round(mean / 3 * 100, 1), level=list(Level)[min(int(mean), 3)], levels=levels)
