"""DORA's software delivery keys from plain records: pure, no Django, no database.

The five keys as DORA defines them since the *Accelerate State of DevOps Report 2024* (Google
Cloud), "Software delivery performance" chapter, in our own words:

- deployment frequency: how often changes reach production. A pipeline run that never got
  there is a *failed deployment attempt*: it is shown apart and is not a deployment;
- change lead time: the median time from a change's commit to its deployment in production
  (deployments whose commit time is unknown are counted apart, not guessed);
- change fail rate: the share of production deployments that needed remediation afterwards:
  an incident linked to them, or a rework deployment (a hotfix or a rollback) of the same service
  that followed them;
- failed deployment recovery time: the median time such a failed change took to recover: from
  its first incident's start to its last incident's resolution, or else from the deployment to
  the rework deployment that remediated it. Incidents that no deployment caused are not change
  failures and stay out of it;
- deployment rework rate: the share of production deployments that were unplanned, made
  because of a problem in production (DORA added it in 2024).

DORA groups them in two factors: *throughput* (change lead time, deployment frequency, failed
deployment recovery time) and *instability* (change fail rate, deployment rework rate).

A deployment belongs to the period it was deployed in; its failure and recovery go with it, so
the change fail rate and recovery time of a month always describe that month's deployments.

Levels come from the 2024 report's four performance clusters:

    cluster  deployment frequency          change lead time       change fail rate  recovery time
    elite    on demand (several a day)     less than one day      5 %               less than one hour
    high     once a day to once a week     one day to one week    20 %              less than one day
    medium   once a week to once a month   one week to one month  10 %              less than one day
    low      once a month to every 6 mon.  one to six months      40 %              one week to one month

The clusters come from an analysis of all keys at once, so a single key of a single team
cannot be clustered. Each key is banded on its own, and **where the clusters overlap or are
out of order the value takes the better level it meets**: a change fail rate up to 5 % is
elite, up to 20 % high (the medium cluster's 10 % lies inside high's 20 %), beyond that low; a
recovery under an hour is elite, under a day high (medium's range is the same as high's), longer
low. So change fail rate and recovery time alone never say "medium"; the team's level, the one
its keys reach on average (see :func:`assess`), can. A value between two clusters' ranges (a
recovery between a day and a week) counts for the worse one; a value at an edge for the better
one. The report gives no level for rework rate, so it has none here.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum

LEVELS_YEAR = 2024
THRESHOLDS_SOURCE = "Accelerate State of DevOps Report 2024 (DORA, Google Cloud)"


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
    CHANGE_LEAD_TIME = "change_lead_time"
    CHANGE_FAIL_RATE = "change_fail_rate"
    RECOVERY_TIME = "failed_deployment_recovery_time"
    REWORK_RATE = "deployment_rework_rate"


THROUGHPUT = (Key.DEPLOYMENT_FREQUENCY, Key.CHANGE_LEAD_TIME, Key.RECOVERY_TIME)
INSTABILITY = (Key.CHANGE_FAIL_RATE, Key.REWORK_RATE)

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Bands:
    """A key's bands, best first: (level, the edge a value must meet). ``worst`` is where the low
    band ends for the score inside it (the far end of the 2024 low cluster)."""

    edges: tuple[tuple[Level, float], ...]
    worst: float
    higher_is_better: bool
    log: bool


# In deployments per day, seconds and fractions.
BANDS: dict[Key, Bands] = {
    Key.DEPLOYMENT_FREQUENCY: Bands(
        ((Level.ELITE, 1.0), (Level.HIGH, 1 / 7), (Level.MEDIUM, 1 / 30)), 1 / 182.5, True, True
    ),
    Key.CHANGE_LEAD_TIME: Bands(
        ((Level.ELITE, DAY), (Level.HIGH, 7 * DAY), (Level.MEDIUM, 30 * DAY)), 182.5 * DAY, False, True
    ),
    Key.CHANGE_FAIL_RATE: Bands(((Level.ELITE, 0.05), (Level.HIGH, 0.20)), 0.40, False, False),
    Key.RECOVERY_TIME: Bands(((Level.ELITE, 3_600.0), (Level.HIGH, DAY)), 30 * DAY, False, True),
}


@dataclass(frozen=True, slots=True)
class DeploymentRecord:
    """One production deployment (or failed attempt) as the keys need it; ``key`` links incidents."""

    key: Hashable
    deployed_at: datetime
    first_commit_at: datetime | None
    succeeded: bool = True  # False: a failed attempt that never reached production
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
    """Half-open: from ``start`` (included) to ``end`` (excluded). ``partial``: a calendar month
    counted so far (the current one), never to be compared with full months."""

    start: datetime
    end: datetime
    partial: bool = False

    @property
    def days(self) -> float:
        return max((self.end - self.start).total_seconds(), 0.0) / DAY

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a production deployment is a change failure, and how long it took to recover."""

    reason: str  # "incident" or "rework"
    remediated_by: Hashable | None  # the rework deployment's key, for "rework"
    recovery: timedelta | None  # None while not recovered


@dataclass(frozen=True, slots=True)
class Keys:
    """The delivery keys of one period, with the counts behind them."""

    period: Period
    deployments: int
    failed_attempts: int
    change_failures: int
    rework_deployments: int
    lead_time: timedelta | None
    lead_time_samples: int
    recovery_time: timedelta | None
    recovery_samples: int
    unrecovered: int
    incidents: int
    open_incidents: int

    @property
    def deployments_per_day(self) -> float:
        return self.deployments / self.period.days if self.period.days else 0.0

    @property
    def deployments_per_week(self) -> float:
        return self.deployments_per_day * 7

    @property
    def without_lead_time(self) -> int:
        """Production deployments whose commit time is unknown."""
        return self.deployments - self.lead_time_samples

    @property
    def change_fail_rate(self) -> float | None:
        return self.change_failures / self.deployments if self.deployments else None

    @property
    def rework_rate(self) -> float | None:
        return self.rework_deployments / self.deployments if self.deployments else None

    @property
    def instability(self) -> float | None:
        """The mean of change fail rate and rework rate (0–1; lower is steadier)."""
        if not self.deployments:
            return None
        return (self.change_failures + self.rework_deployments) / (2 * self.deployments)


@dataclass(frozen=True, slots=True)
class Performance:
    """A team's level: a 0–100 score, the level it reaches, each key's own level, and the
    throughput score (0–100, from the throughput keys' levels)."""

    score: float
    level: Level
    levels: dict[Key, Level]
    throughput: float | None


def median_duration(durations: Sequence[timedelta]) -> timedelta | None:
    """The median of the durations, or None for none."""
    if not durations:
        return None
    return timedelta(seconds=statistics.median(d.total_seconds() for d in durations))


def change_failures(
    deployments: Iterable[DeploymentRecord], incidents: Iterable[IncidentRecord]
) -> dict[Hashable, Failure]:
    """Every production deployment that needed remediation, by key, with why and its recovery.

    A linked incident makes a failure recovered when the last of its incidents is resolved
    (measured from the first one's start); otherwise the next production deployment of the
    same service to the same environment, when it is rework, remediated it.
    """
    produced = sorted((d for d in deployments if d.succeeded), key=lambda d: d.deployed_at)
    caused: dict[Hashable, list[IncidentRecord]] = defaultdict(list)
    for incident in incidents:
        if incident.deployment is not None:
            caused[incident.deployment].append(incident)
    following: dict[Hashable, DeploymentRecord] = {}
    last: dict[tuple[str, str], DeploymentRecord] = {}
    for deployment in produced:
        previous = last.get((deployment.service, deployment.environment))
        if previous is not None:
            following[previous.key] = deployment
        last[(deployment.service, deployment.environment)] = deployment

    failures: dict[Hashable, Failure] = {}
    for deployment in produced:
        if deployment.key in caused:
            linked = caused[deployment.key]
            recovery = None
            if all(i.resolved_at is not None for i in linked):
                start = min(i.started_at for i in linked)
                end = max(i.resolved_at for i in linked)  # type: ignore[type-var]
                recovery = max(end - start, timedelta(0))
            failures[deployment.key] = Failure("incident", None, recovery)
            continue
        after = following.get(deployment.key)
        if after is not None and after.is_rework:
            failures[deployment.key] = Failure(
                "rework", after.key, after.deployed_at - deployment.deployed_at
            )
    return failures


def compute_keys(
    deployments: Iterable[DeploymentRecord], incidents: Iterable[IncidentRecord], period: Period
) -> Keys:
    """The keys of one period from every production deployment and incident known around it.

    Pass deployments after the period too: a deployment's remediation may come later.
    """
    deployments = list(deployments)
    incidents = list(incidents)
    failures = change_failures(deployments, incidents)
    in_period = [d for d in deployments if d.deployed_at in period]
    produced = [d for d in in_period if d.succeeded]
    failed = [failures[d.key] for d in produced if d.key in failures]
    recoveries = [f.recovery for f in failed if f.recovery is not None]
    lead_times = [d.deployed_at - d.first_commit_at for d in produced if d.first_commit_at is not None]
    started = [i for i in incidents if i.started_at in period]
    return Keys(
        period=period,
        deployments=len(produced),
        failed_attempts=len(in_period) - len(produced),
        change_failures=len(failed),
        rework_deployments=sum(1 for d in produced if d.is_rework),
        lead_time=median_duration(lead_times),
        lead_time_samples=len(lead_times),
        recovery_time=median_duration(recoveries),
        recovery_samples=len(recoveries),
        unrecovered=len(failed) - len(recoveries),
        incidents=len(started),
        open_incidents=sum(1 for i in started if i.resolved_at is None),
    )


def window(now: datetime, days: int = 90) -> Period:
    """The rolling window of ``days`` days that ends now."""
    return Period(now - timedelta(days=days), now)


def month_periods(now: datetime, count: int = 12, tz: tzinfo = UTC) -> list[Period]:
    """The last ``count`` calendar months in ``tz``, oldest first; the current one ends now and
    is partial."""
    local = now.astimezone(tz)
    year, month = local.year, local.month
    starts: list[datetime] = []
    for _ in range(count):
        starts.append(datetime(year, month, 1, tzinfo=tz))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    periods = [Period(start, end) for start, end in zip(starts, starts[1:], strict=False)]
    return [*periods, Period(starts[-1], now, partial=True)]


def key_value(keys: Keys, key: Key) -> float | timedelta | None:
    """The key's value in the units its bands use, or None without data."""
    if not keys.deployments:
        return None
    return {
        Key.DEPLOYMENT_FREQUENCY: keys.deployments_per_day,
        Key.CHANGE_LEAD_TIME: keys.lead_time,
        Key.CHANGE_FAIL_RATE: keys.change_fail_rate,
        Key.RECOVERY_TIME: keys.recovery_time,
        Key.REWORK_RATE: keys.rework_rate,
    }[key]


def _number(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def key_level(key: Key, value: float | timedelta) -> Level:
    """The 2024 cluster a key's value meets on its own (the better one where clusters overlap)."""
    bands = BANDS[key]
    number = _number(value)
    for level, edge in bands.edges:
        if (number >= edge) if bands.higher_is_better else (number <= edge):
            return level
    return Level.LOW


def key_points(key: Key, value: float | timedelta) -> float:
    """0–3 points for one key: its level's points plus how far into the band it is.

    Frequency, lead time and recovery are placed on a log scale (their bands widen sevenfold or
    more), change fail rate on a linear one. Elite is 3 however far beyond its edge.
    """
    bands = BANDS[key]
    level = key_level(key, value)
    if level is Level.ELITE:
        return 3.0
    edges = [edge for _, edge in bands.edges] + [bands.worst]
    position = [band for band, _ in bands.edges].index(level) if level is not Level.LOW else len(bands.edges)
    better, worse = edges[position - 1], edges[position]

    def scale(x: float) -> float:
        return math.log(max(x, 1e-12)) if bands.log else x

    span = scale(better) - scale(worse)
    fraction = (scale(_number(value)) - scale(worse)) / span if span else 0.0
    # Just short of the better edge counts as nearly, never fully, reaching it.
    return level.points + min(max(fraction, 0.0), 0.999)


def _mean_points(points: dict[Key, float], keys: Iterable[Key]) -> float | None:
    chosen = [points[key] for key in keys if key in points]
    return sum(chosen) / len(chosen) if chosen else None


def assess(keys: Keys) -> Performance | None:
    """The team's level over the period, or None without a production deployment to judge.

    The score is the mean of the four levelled keys' points (0–3) that have data, scaled to
    0–100; the level is the one whose points that mean reaches (three elite keys and a high one
    make high). Throughput is the same mean over the throughput keys only.
    """
    if not keys.deployments:
        return None
    points = {}
    for key in BANDS:
        value = key_value(keys, key)
        if value is not None:
            points[key] = key_points(key, value)
    mean = _mean_points(points, BANDS)
    assert mean is not None  # deployment frequency always has a value here
    throughput = _mean_points(points, THROUGHPUT)
    return Performance(
        score=round(mean / 3 * 100, 1),
        level=list(Level)[min(int(mean), 3)],
        levels={key: list(Level)[min(int(p), 3)] for key, p in points.items()},
        throughput=round(throughput / 3 * 100, 1) if throughput is not None else None,
    )
