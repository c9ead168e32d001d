"""Demo delivery history for `manage.py seed_demo`: twelve months of deployments and incidents.

Each team has a *capability* (0–1) derived from its slug. It drives both how the team delivers
here and, in the survey seed, how it answers, so culture and delivery go together — loosely:
each team's delivery gets its own noise, and every team improves a little over the year.
Deterministic (a generator seeded per team), idempotent (a team with demo deployments is left
alone) and written with bulk_create.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from delivery.models import DeliveryVersion, Deployment, Incident
from teams.bulk import bulk_insert
from teams.demo import CAPABILITY
from teams.models import Team

DEMO_PREFIX = "demo-"
DAYS = 365

SEVERITIES = (
    (Incident.Severity.CRITICAL, 1),
    (Incident.Severity.HIGH, 3),
    (Incident.Severity.MEDIUM, 5),
    (Incident.Severity.LOW, 4),
)


def capability(slug: str) -> float:
    """The team's delivery capability, 0.15–0.9: its survey capability (teams/demo.py) give or take a
    stable, slug-derived 0.15, so culture and delivery agree believably but not perfectly."""
    wobble = int(hashlib.sha256(slug.encode()).hexdigest()[:8], 16) % 31 / 100 - 0.15
    base = CAPABILITY[slug][0] if slug in CAPABILITY else 0.5
    return min(0.9, max(0.15, base + wobble))


@dataclass(frozen=True)
class SeededDelivery:
    deployments: int
    incidents: int


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small daily means used here.
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _hours(rng: random.Random, median: float, sigma: float) -> timedelta:
    return timedelta(hours=median * math.exp(rng.gauss(0, sigma)))


def _severity(rng: random.Random) -> str:
    return rng.choices([s for s, _ in SEVERITIES], weights=[w for _, w in SEVERITIES])[0]


def _team_history(team: Team, now: datetime) -> tuple[list[Deployment], list[tuple[Incident, str | None]]]:
    rng = random.Random(f"gemba-delivery-{team.slug}")
    # Delivery follows capability loosely: its own noise keeps the correlation believable.
    delivery = min(max(capability(team.slug) + rng.gauss(0, 0.08), 0.05), 0.97)
    services = [
        f"{team.slug}-{name}" for name in rng.sample(["api", "web", "worker", "jobs"], k=rng.randint(2, 3))
    ]
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    deployments: list[Deployment] = []
    incidents: list[tuple[Incident, str | None]] = []

    def add_incident(service: str, started: datetime, recovery: timedelta, cause: str | None) -> None:
        resolved = started + recovery
        incidents.append(
            (
                Incident(
                    team=team,
                    service=service,
                    severity=_severity(rng),
                    started_at=started,
                    resolved_at=resolved if resolved < now else None,
                    external_id=f"{DEMO_PREFIX}{team.slug}-i{len(incidents) + 1:04d}",
                ),
                cause,
            )
        )

    for day in range(DAYS):
        date = start + timedelta(days=day)
        if date.weekday() >= 5 and rng.random() > 0.1:
            continue
        # Every team gets a little better over the year: the trend lines have something to show.
        level = min(delivery - 0.1 + 0.12 * day / DAYS, 1.0)
        per_week = 0.15 * 50**level
        recovery_median = 0.5 * 300 ** (1 - level)
        for _ in range(_poisson(rng, per_week / 5)):
            deployed = date + timedelta(hours=rng.uniform(8, 18))
            if deployed >= now:
                continue
            lead_time = _hours(rng, 6 * 250 ** (1 - level), 0.8)
            service = rng.choice(services)
            failed = rng.random() < 0.03 + 0.35 * (1 - level) ** 2
            external_id = f"{DEMO_PREFIX}{team.slug}-d{len(deployments) + 1:05d}"
            status_failure = failed and rng.random() < 0.4
            deployments.append(
                Deployment(
                    team=team,
                    service=service,
                    environment="production",
                    deployed_at=deployed,
                    first_commit_at=deployed - lead_time,
                    status=Deployment.Status.FAILURE if status_failure else Deployment.Status.SUCCESS,
                    is_rework=rng.random() < 0.04 + 0.2 * (1 - level),
                    external_id=external_id,
                )
            )
            if failed and not status_failure:
                started = deployed + timedelta(minutes=rng.uniform(5, 240))
                add_incident(service, started, _hours(rng, recovery_median, 0.9), external_id)
        # Incidents with no deployment to blame: infrastructure, traffic, a supplier.
        if rng.random() < (1.3 - level) / 30:
            started = date + timedelta(hours=rng.uniform(0, 24))
            if started < now:
                add_incident(rng.choice(services), started, _hours(rng, recovery_median, 0.9), None)
    return deployments, incidents


def seed_delivery(teams: Iterable[Team], *, now: datetime | None = None) -> SeededDelivery:
    """Twelve months of demo deployments and incidents for each team that has none yet."""
    now = now or timezone.now()
    teams = list(teams)
    seeded = set(
        Deployment.objects.filter(team__in=teams, external_id__startswith=DEMO_PREFIX)
        .values_list("team_id", flat=True)
        .distinct()
    )
    deployments: list[Deployment] = []
    incidents: list[tuple[Incident, str | None]] = []
    for team in teams:
        if team.pk in seeded:
            continue
        team_deployments, team_incidents = _team_history(team, now)
        deployments.extend(team_deployments)
        incidents.extend(team_incidents)
    if not deployments:
        return SeededDelivery(0, 0)
    Deployment.objects.bulk_create(deployments, batch_size=1000)
    # Map causes by external id rather than trusting every backend to return primary keys.
    team_ids = {deployment.team_id for deployment in deployments}
    pks = dict(
        Deployment.objects.filter(team_id__in=team_ids, external_id__startswith=DEMO_PREFIX).values_list(
            "external_id", "pk"
        )
    )
    for incident, cause in incidents:
        incident.caused_by_id = pks[cause] if cause else None
    Incident.objects.bulk_create([incident for incident, _ in incidents], batch_size=1000)
    DeliveryVersion.objects.bump(team_ids)
    return SeededDelivery(len(deployments), len(incidents))


# --- Enterprise scale (`seed_demo --scale enterprise`) ---------------------------------------

ENTERPRISE_PREFIX = "ent-"


def seed_enterprise_delivery(
    teams: list[Team],
    capability_by_slug: dict[str, tuple[float, str]],
    *,
    deployments: int,
    now: datetime | None = None,
    progress=None,
) -> SeededDelivery:
    """About ``deployments`` deployments over the last year, shared out by capability, with the
    incidents their failures caused; rows bulk inserted (COPY on PostgreSQL)."""
    now = now or timezone.now()
    rng = random.Random(20261127)
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    weights = {team.pk: 0.3 + capability_by_slug.get(team.slug, (0.5, ""))[0] * 1.6 for team in teams}
    total_weight = sum(weights.values()) or 1.0
    deployment_rows: list[tuple] = []
    incidents: list[tuple[tuple, str]] = []  # (row without caused_by, the causing external id)
    tick = max(1, len(teams) // 10)
    for position, team in enumerate(teams, start=1):
        level = min(max(capability_by_slug.get(team.slug, (0.5, ""))[0] + rng.gauss(0, 0.08), 0.05), 0.97)
        services = [f"{team.slug}-{name}" for name in rng.sample(["api", "web", "worker", "jobs"], k=3)]
        count = round(deployments * weights[team.pk] / total_weight)
        moments = []
        while len(moments) < count:
            day = rng.randrange(DAYS)
            moment = start + timedelta(days=day, hours=rng.uniform(8, 18))
            if moment < now and (moment.weekday() < 5 or rng.random() < 0.1):
                moments.append(moment)
        moments.sort()
        recovery_median = 0.5 * 300 ** (1 - level)
        for number, deployed in enumerate(moments, start=1):
            external_id = f"{ENTERPRISE_PREFIX}{team.slug}-d{number:05d}"
            failed = rng.random() < 0.03 + 0.35 * (1 - level) ** 2
            status_failure = failed and rng.random() < 0.4
            service = rng.choice(services)
            deployment_rows.append(
                (
                    team.pk,
                    service,
                    "production",
                    deployed,
                    deployed - _hours(rng, 6 * 250 ** (1 - level), 0.8),
                    Deployment.Status.FAILURE.value if status_failure else Deployment.Status.SUCCESS.value,
                    rng.random() < 0.04 + 0.2 * (1 - level),
                    external_id,
                    deployed,
                )
            )
            if failed and not status_failure:
                started = deployed + timedelta(minutes=rng.uniform(5, 240))
                resolved = started + _hours(rng, recovery_median, 0.9)
                incidents.append(
                    (
                        (
                            team.pk,
                            service,
                            _severity(rng),
                            started,
                            resolved if resolved < now else None,
                            f"{ENTERPRISE_PREFIX}{team.slug}-i{len(incidents) + 1:06d}",
                            started,
                        ),
                        external_id,
                    )
                )
        if progress and position % tick == 0:
            progress.advance(1)
    fields = ["team", "service", "environment", "deployed_at", "first_commit_at", "status", "is_rework"]
    bulk_insert(Deployment, [*fields, "external_id", "created_at"], deployment_rows)
    causes = {external_id for _, external_id in incidents}
    pks = {
        (team_id, external_id): pk
        for team_id, external_id, pk in Deployment.objects.filter(
            team__in=teams, external_id__startswith=ENTERPRISE_PREFIX, status=Deployment.Status.SUCCESS
        ).values_list("team_id", "external_id", "pk")
        if external_id in causes
    }
    bulk_insert(
        Incident,
        [
            "team",
            "service",
            "severity",
            "started_at",
            "resolved_at",
            "external_id",
            "created_at",
            "caused_by",
        ],
        ((*row, pks[(row[0], cause)]) for row, cause in incidents),
    )
    DeliveryVersion.objects.bump(team.pk for team in teams)
    if progress:
        progress.advance(1)
    return SeededDelivery(len(deployment_rows), len(incidents))
