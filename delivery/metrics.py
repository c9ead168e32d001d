"""Reading the DORA keys of teams: a few queries feed the pure functions in delivery.dora."""

from __future__ import annotations

import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caching import remembered_many
from delivery import dora
from delivery.ingest import rules_for
from delivery.models import DeliveryVersion, Deployment, Incident
from teams.models import Team

WINDOW_DAYS = 90
MONTHS = 12
# Part of every cache key: a new shape of the cached values (a new release) never reads an old one.
CACHE_SHAPE = 2

LEVEL_LABELS = {
    dora.Level.ELITE: _("Elite"),
    dora.Level.HIGH: _("High"),
    dora.Level.MEDIUM: _("Medium"),
    dora.Level.LOW: _("Low"),
}


@dataclass(frozen=True)
class ServiceDelivery:
    """One service's keys over the rolling window."""

    service: str
    keys: dora.Keys
    performance: dora.Performance | None


@dataclass(frozen=True)
class TeamDelivery:
    """One team's keys over the rolling window and per month (the last one partial), with its
    level, each service's keys, and the production rules they were counted by."""

    team: Team
    window_days: int
    window: dora.Keys
    performance: dora.Performance | None
    months: list[dora.Keys]
    services: list[ServiceDelivery]
    production: tuple[str, ...]
    rules_scope: str

    @property
    def full_months(self) -> list[dora.Keys]:
        return [keys for keys in self.months if not keys.period.partial]


@dataclass(frozen=True)
class TeamPerformance:
    """One team's delivery performance over the window, for org views (score 0–100)."""

    team_id: int
    slug: str
    name: str
    deployments: int
    score: float | None
    level: dora.Level | None
    throughput: float | None = None
    instability: float | None = None  # 0–100, the mean of change fail rate and rework rate in %


def _cached[T](
    kind: str, team_ids: list[int], parts: tuple, compute: Callable[[list[int]], dict[int, T]]
) -> dict[int, T]:
    """Per team, its value for what it depends on: the team's delivery version (changed in the
    same transaction as any of its deployments, incidents or rules), the time slot of
    GEMBA_DELIVERY_CACHE_SECONDS (so the rolling window's far edge moves on; the worker warms
    the new slot: portal.warming), the site's time zone (months end at its midnight) and
    ``parts``. 0 seconds switches caching off."""
    seconds = settings.GEMBA_DELIVERY_CACHE_SECONDS
    if seconds <= 0:
        return compute(team_ids)
    shared = (CACHE_SHAPE, slot(), settings.TIME_ZONE, parts)
    versions = DeliveryVersion.objects.of(team_ids)
    return remembered_many(
        f"delivery:{kind}", {pk: (shared, versions[pk]) for pk in team_ids}, compute, seconds=2 * seconds
    )


def slot(now: float | None = None) -> int:
    """The current time slot of GEMBA_DELIVERY_CACHE_SECONDS: cached keys live within one."""
    return int((time.time() if now is None else now) // max(1, settings.GEMBA_DELIVERY_CACHE_SECONDS))


def team_delivery(
    team: Team, *, now: datetime | None = None, window_days: int = WINDOW_DAYS, months: int = MONTHS
) -> TeamDelivery:
    """The team's keys for the last ``window_days`` days and the last ``months`` months.

    Without ``now``: cached per team version (one query when cached, three when not); with
    ``now``: computed for that moment (two queries).
    """
    if now is None:
        delivery = _cached(
            "team_delivery",
            [team.pk],
            (window_days, months),
            lambda _ids: {
                team.pk: team_delivery(team, now=timezone.now(), window_days=window_days, months=months)
            },
        )[team.pk]
        return replace(delivery, team=team)
    # Months end at the site's midnight (GEMBA_TIME_ZONE), whoever looks: everyone reads the
    # same monthly numbers of a team, and they are computed once for all.
    periods = dora.month_periods(now, months, zoneinfo.ZoneInfo(settings.TIME_ZONE))
    since = min(periods[0].start, now - timedelta(days=window_days))
    deployments = [
        record for _, record in Deployment.objects.counted().filter(team=team).since(since).records()
    ]
    incidents = [record for _, record in Incident.objects.filter(team=team).around(since).records()]
    period = dora.window(now, window_days)
    keys = dora.compute_keys(deployments, incidents, period)
    team_rules = rules_for(team)
    return TeamDelivery(
        team=team,
        window_days=window_days,
        window=keys,
        performance=dora.assess(keys),
        months=[dora.compute_keys(deployments, incidents, month) for month in periods],
        services=_by_service(deployments, incidents, period),
        production=team_rules.production,
        rules_scope=team_rules.scope,
    )


def _by_service(
    deployments: list[dora.DeploymentRecord], incidents: list[dora.IncidentRecord], period: dora.Period
) -> list[ServiceDelivery]:
    """Each service's keys, busiest first; an incident goes with the service of its deployment."""
    service_of = {d.key: d.service for d in deployments}
    services = sorted(
        {d.service for d in deployments if d.deployed_at in period},
        key=lambda name: (
            -sum(1 for d in deployments if d.service == name and d.deployed_at in period),
            name,
        ),
    )
    result = []
    for service in services:
        keys = dora.compute_keys(
            [d for d in deployments if d.service == service],
            [i for i in incidents if i.deployment is not None and service_of.get(i.deployment) == service],
            period,
        )
        result.append(ServiceDelivery(service, keys, dora.assess(keys)))
    return result


def window_keys(team: Team, *, now: datetime | None = None, window_days: int = WINDOW_DAYS) -> dora.Keys:
    """The team's keys for the last ``window_days`` days only (two queries)."""
    now = now or timezone.now()
    since = now - timedelta(days=window_days)
    deployments = [
        record for _, record in Deployment.objects.counted().filter(team=team).since(since).records()
    ]
    incidents = [record for _, record in Incident.objects.filter(team=team).around(since).records()]
    return dora.compute_keys(deployments, incidents, dora.window(now, window_days))


@dataclass(frozen=True)
class DeliveryScore:
    """A team's delivery over the window, by its id only (org views that hold no teams)."""

    deployments: int
    score: float | None
    level: dora.Level | None
    throughput: float | None
    instability: float | None


def delivery_scores(
    team_ids: list[int], *, window_days: int = WINDOW_DAYS, teams: dict[int, Team] | None = None
) -> dict[int, DeliveryScore]:
    """team id → its delivery over the window, cached on the teams' versions. ``teams`` (by id)
    spares reading the teams not cached yet; without it they are read."""

    def compute(missing: list[int]) -> dict[int, tuple]:
        known = [teams[pk] for pk in missing] if teams is not None else Team.objects.filter(pk__in=missing)
        found = {
            p.team_id: (p.deployments, p.score, p.level, p.throughput, p.instability)
            for p in teams_performance(known, now=timezone.now(), window_days=window_days)
        }
        return {pk: found.get(pk, (0, None, None, None, None)) for pk in missing}

    scores = _cached("teams_performance", list(team_ids), (window_days,), compute)
    return {team_id: DeliveryScore(*numbers) for team_id, numbers in scores.items()}


def teams_performance(
    teams: QuerySet[Team] | Iterable[Team], *, now: datetime | None = None, window_days: int = WINDOW_DAYS
) -> list[TeamPerformance]:
    """Each team's delivery score and level over the window, in the teams' order.

    Pass ``Team.objects.visible_to(user)`` for what a viewer may see. Teams without a deployment
    in the window have no score and no level. Without ``now``: cached on the teams' versions (one
    query when cached, three when not); with ``now``: computed for that moment (two queries).
    """
    teams = list(teams)
    team_ids = [team.pk for team in teams]
    if now is None:
        scores = delivery_scores(team_ids, window_days=window_days, teams={team.pk: team for team in teams})
        return [TeamPerformance(team.pk, team.slug, team.name, *astuple(scores[team.pk])) for team in teams]
    since = now - timedelta(days=window_days)
    deployments: dict[int, list[dora.DeploymentRecord]] = defaultdict(list)
    for team_id, record in Deployment.objects.counted().filter(team_id__in=team_ids).since(since).records():
        deployments[team_id].append(record)
    incidents: dict[int, list[dora.IncidentRecord]] = defaultdict(list)
    for team_id, record in Incident.objects.filter(team_id__in=team_ids).around(since).records():
        incidents[team_id].append(record)
    period = dora.window(now, window_days)
    result = []
    for team in teams:
        keys = dora.compute_keys(deployments[team.pk], incidents[team.pk], period)
        performance = dora.assess(keys)
        result.append(
            TeamPerformance(
                team_id=team.pk,
                slug=team.slug,
                name=team.name,
                deployments=keys.deployments,
                score=performance.score if performance else None,
                level=performance.level if performance else None,
                throughput=performance.throughput if performance else None,
                instability=round(keys.instability * 100, 1) if keys.instability is not None else None,
            )
        )
    return result


# --- the records behind a number


@dataclass(frozen=True)
class DeploymentRow:
    deployment: Deployment
    failure: dora.Failure | None
    remediated_by: str  # the external id of the rework deployment that remediated it, if any

    @property
    def lead_time(self) -> timedelta | None:
        d = self.deployment
        return d.deployed_at - d.first_commit_at if d.first_commit_at else None


@dataclass(frozen=True)
class Records:
    """The deployments and incidents behind one key of one period (and service)."""

    key: str
    period: dora.Period
    service: str
    keys: dora.Keys
    deployments: list[DeploymentRow]
    incidents: list[Incident]
    services: list[str]


# Which deployments each key is about; None: all production deployments of the period.
RECORD_KEYS = (
    "deployment_frequency",
    "change_lead_time",
    "change_fail_rate",
    "failed_deployment_recovery_time",
    "deployment_rework_rate",
    "failed_attempts",
    "incidents",
)


def key_records(team: Team, *, key: str, period: dora.Period, service: str = "") -> Records:
    """The records behind ``key`` for the period: the deployments (with why each failed and what
    remediated it) and the incidents, optionally of one service. Three queries."""
    production = Deployment.objects.counted().filter(team=team)
    services = list(
        production.since(period.start).order_by("service").values_list("service", flat=True).distinct()
    )
    rows = list(production.since(period.start - timedelta(days=1)).order_by("deployed_at", "pk"))
    incidents = list(
        Incident.objects.filter(team=team)
        .around(period.start)
        .select_related("caused_by")
        .order_by("started_at")
    )
    if service:
        rows = [d for d in rows if d.service == service]
        kept = {d.pk for d in rows}
        incidents = [i for i in incidents if i.service == service or i.caused_by_id in kept]
    records = [
        dora.DeploymentRecord(
            key=d.pk,
            deployed_at=d.deployed_at,
            first_commit_at=d.first_commit_at,
            succeeded=d.status == Deployment.Status.SUCCESS,
            is_rework=d.is_rework,
            service=d.service,
            environment=d.environment,
        )
        for d in rows
    ]
    incident_records = [
        dora.IncidentRecord(started_at=i.started_at, resolved_at=i.resolved_at, deployment=i.caused_by_id)
        for i in incidents
    ]
    failures = dora.change_failures(records, incident_records)
    keys = dora.compute_keys(records, incident_records, period)
    external = {d.pk: d.external_id for d in rows}
    in_period = [d for d in rows if d.deployed_at in period]
    produced = [d for d in in_period if d.status == Deployment.Status.SUCCESS]
    chosen = {
        "failed_attempts": [d for d in in_period if d.status != Deployment.Status.SUCCESS],
        "change_lead_time": [d for d in produced if d.first_commit_at is not None],
        "failed_deployment_recovery_time": [d for d in produced if d.pk in failures],
        "incidents": [],
    }.get(key, produced)
    deployment_rows = [
        DeploymentRow(
            d,
            failures.get(d.pk),
            external.get(failures[d.pk].remediated_by, "") if d.pk in failures else "",  # type: ignore[arg-type]
        )
        for d in reversed(chosen)
    ]
    if key == "incidents":
        shown_incidents = [i for i in reversed(incidents) if i.started_at in period]
    elif key in {"change_fail_rate", "failed_deployment_recovery_time"}:
        # The incidents that made these deployments change failures.
        chosen_pks = {d.pk for d in chosen}
        shown_incidents = [i for i in reversed(incidents) if i.caused_by_id in chosen_pks]
    else:
        shown_incidents = []
    return Records(key, period, service, keys, deployment_rows, shown_incidents, services)


RECORDS_HEADER = [
    "record",
    "external_id",
    "service",
    "environment",
    "at",
    "status",
    "commit",
    "lead_time_hours",
    "rework",
    "change_failure",
    "remediated_by",
    "recovery_hours",
    "resolved_at",
    "caused_by",
    "why",
]


def _hours_text(duration: timedelta | None) -> str:
    return f"{duration.total_seconds() / 3600:.2f}" if duration is not None else ""


def records_table(found: Records):
    """The rows of the records' CSV (RECORDS_HEADER): deployments, then incidents."""
    for row in found.deployments:
        d = row.deployment
        yield [
            "deployment",
            d.external_id,
            d.service,
            d.environment,
            d.deployed_at.isoformat(),
            d.status,
            d.commit_sha,
            _hours_text(row.lead_time),
            "yes" if d.is_rework else "no",
            row.failure.reason if row.failure else "",
            row.remediated_by,
            _hours_text(row.failure.recovery) if row.failure else "",
            "",
            "",
            " | ".join(filter(None, [d.routed_by, *d.placed_by.splitlines()])),
        ]
    for incident in found.incidents:
        yield [
            "incident",
            incident.external_id,
            incident.service,
            "",
            incident.started_at.isoformat(),
            incident.severity,
            "",
            "",
            "",
            "",
            "",
            "",
            incident.resolved_at.isoformat() if incident.resolved_at else "",
            incident.caused_by.external_id if incident.caused_by_id else "",
            " | ".join(filter(None, [incident.routed_by, incident.linked_by])),
        ]
