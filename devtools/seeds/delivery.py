"""Demo delivery history for `manage.py seed_demo`: twelve months of deployments and incidents.

Each team has a *capability* (0–1) derived from its slug. It drives both how the team delivers
here and, in the survey seed, how it answers, so culture and delivery go together — loosely:
each team's delivery gets its own noise, and every team improves a little over the year; Build &
Release delivers at the elite cluster and Ledger at the low one.

The small demo's history arrives as a real team's would: GitHub ``deployment_status`` and
``push`` calls and PagerDuty v3 incident calls, signed with each team's demo webhook secrets and
sent through the webhook code, so the rules place them (staging is not production, Payments'
prod-eu and prod-us are, hotfix branches and rollbacks are rework, incidents find their
deployment by a commit SHA in the title or as the service's last deployment). Deterministic (a
generator seeded per team) and idempotent (a team with demo webhooks is left alone). The
enterprise seed, for size, bulk inserts rows as a CSV import would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from bulk_rows import bulk_insert
from delivery.ingest import webhook_receive
from delivery.models import DeliveryRules, DeliveryVersion, Deployment, Incident, Webhook
from delivery.services import webhook_create
from devtools.seeds.organisation import CAPABILITY
from teams.models import Team

DEMO_PREFIX = "demo-"
DEMO_WEBHOOK = "Demo"
DAYS = 365

SEVERITIES = (
    (Incident.Severity.CRITICAL, 1),
    (Incident.Severity.HIGH, 3),
    (Incident.Severity.MEDIUM, 5),
    (Incident.Severity.LOW, 4),
)


def capability(slug: str) -> float:
    """The team's delivery capability, 0.15–0.9: its survey capability (seeds/organisation.py)
    give or take a stable, slug-derived 0.15, so culture and delivery agree believably but not
    perfectly."""
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


# The demo's clearest cases: one team at the elite cluster, one at low (their delivery level).
# (delivery 0–1, share of changes needing remediation or None for the usual curve).
PROFILES: dict[str, tuple[float, float | None]] = {"build-release": (1.02, None), "ledger": (-0.02, 0.45)}
# Payments deploys to regional production environments; its group rules say they count.
REGIONAL = {"checkout": ("prod-eu", "prod-us")}
PRIORITIES = {"critical": "P1", "high": "P2", "medium": "P3", "low": "P4"}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Events:
    """A team's demo history as provider calls: (when, provider, event name, payload), in order."""

    team: Team
    calls: list[tuple[datetime, str, str, dict]]


def _team_events(team: Team, now: datetime) -> _Events:
    rng = random.Random(f"gemba-delivery-{team.slug}")
    # Delivery follows capability loosely: its own noise keeps the correlation believable.
    delivery, failing = PROFILES.get(team.slug) or (
        min(max(capability(team.slug) + rng.gauss(0, 0.08), 0.05), 0.97),
        None,
    )
    names = rng.sample(["api", "web", "worker", "jobs"], k=rng.randint(2, 3))
    services = [f"{team.slug}-{name}" for name in names]
    repository = {"id": 7_000 + team.pk, "name": team.slug, "full_name": f"gemba-demo/{team.slug}"}
    environments = REGIONAL.get(team.slug, ("production",))
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    calls: list[tuple[datetime, str, str, dict]] = []
    deployed_shas: dict[str, list[str]] = {service: [] for service in services}
    counter = {"deployment": 0, "incident": 0, "delivery": 0}
    week: list[dict] = []

    def sha() -> str:
        return f"{rng.getrandbits(160):040x}"

    def deployment(
        at: datetime, service: str, commit: str, *, state="success", env=None, ref="main", title=""
    ):
        counter["deployment"] += 1
        calls.append(
            (
                at,
                "github",
                "deployment_status",
                {
                    "action": "created",
                    "deployment_status": {"state": state, "created_at": _iso(at), "updated_at": _iso(at)},
                    "deployment": {
                        "id": counter["deployment"],
                        "sha": commit,
                        "ref": ref,
                        "task": "deploy",
                        "environment": env or rng.choice(environments),
                        "description": title,
                        "payload": {"service": service},
                        "created_at": _iso(at),
                    },
                    "repository": repository,
                },
            )
        )

    def incident(started: datetime, service: str, recovery: timedelta, title: str) -> None:
        counter["incident"] += 1
        data = {
            "id": f"D{team.pk:03d}{counter['incident']:05d}",
            "type": "incident",
            "number": counter["incident"],
            "title": title,
            "created_at": _iso(started),
            "urgency": "high",
            "priority": {"summary": PRIORITIES[_severity(rng)]},
            "service": {"id": f"PS{team.pk:03d}", "summary": service, "type": "service_reference"},
        }
        events = [("incident.triggered", started, "triggered")]
        if started + timedelta(minutes=4) < now:
            events.append(("incident.acknowledged", started + timedelta(minutes=4), "acknowledged"))
        if started + recovery < now:
            events.append(("incident.resolved", started + recovery, "resolved"))
        for kind, at, status in events:
            counter["delivery"] += 1
            calls.append(
                (
                    at,
                    "pagerduty",
                    kind,
                    {
                        "event": {
                            "id": f"demo-{team.slug}-{counter['delivery']:06d}",
                            "event_type": kind,
                            "resource_type": "incident",
                            "occurred_at": _iso(at),
                            "data": {**data, "status": status},
                        }
                    },
                )
            )

    for day in range(DAYS):
        date = start + timedelta(days=day)
        if date.weekday() >= 5 and rng.random() > 0.1:
            continue
        # Every team gets a little better over the year: the trend lines have something to show.
        level = min(delivery - 0.1 + 0.12 * day / DAYS, 1.05)
        per_week = 0.15 * 50**level
        recovery_median = 0.5 * 300 ** (1 - min(level, 1.0))
        commits = []
        for _ in range(_poisson(rng, per_week / 5)):
            deployed = date + timedelta(hours=rng.uniform(8, 18))
            if deployed >= now:
                continue
            service = rng.choice(services)
            commit = sha()
            committed = deployed - _hours(rng, 6 * 250 ** (1 - min(level, 1.0)), 0.8)
            commits.append({"id": commit, "timestamp": _iso(committed), "message": f"Change to {service}"})
            if rng.random() < 0.08:  # a try in staging first: not production by the rules
                deployment(deployed - timedelta(minutes=30), service, commit, env="staging")
            if rng.random() < 0.02 + 0.25 * (1 - min(level, 1.0)) ** 2:  # the pipeline broke on the way
                deployment(deployed - timedelta(minutes=20), service, commit, state="failure")
            deployment(deployed, service, commit)
            deployed_shas[service].append(commit)
            if rng.random() >= (failing or 0.03 + 0.35 * (1 - min(level, 1.0)) ** 2):
                continue
            # This change needs remediation: an incident, a hotfix or a rollback.
            way = rng.random()
            later = deployed + timedelta(minutes=rng.uniform(5, 240))
            if way < 0.5 and later < now:
                title = (
                    f"Error rate up on {service} after deploy {commit[:7]}"
                    if rng.random() < 0.5
                    else f"Latency alarm on {service}"
                )
                incident(later, service, _hours(rng, recovery_median, 0.9), title)
            elif way < 0.8 and later < now:
                fix = sha()
                commits.append(
                    {"id": fix, "timestamp": _iso(later - timedelta(minutes=3)), "message": "Hotfix"}
                )
                deployment(later, service, fix, ref=f"hotfix/{service}-{day}", title=f"Hotfix for {service}")
                deployed_shas[service].append(fix)
            elif later < now and len(deployed_shas[service]) > 1:
                deployment(later, service, deployed_shas[service][-2], title=f"Roll back {service}")
                deployed_shas[service].append(deployed_shas[service][-2])
        week.extend(commits)
        if week and (date.weekday() == 4 or day == DAYS - 1):  # the week's commits, as one push
            calls.append(
                (
                    date - timedelta(days=date.weekday()),
                    "github",
                    "push",
                    {"ref": "refs/heads/main", "repository": repository, "commits": week},
                )
            )
            week = []
        # Incidents no deployment caused: infrastructure, traffic, a supplier.
        if rng.random() < (1.3 - min(level, 1.0)) / 30:
            started = date + timedelta(hours=rng.uniform(0, 24))
            if started < now:
                incident(
                    started, f"{team.slug}-database", _hours(rng, recovery_median, 0.9), "Database failover"
                )
    calls.sort(key=lambda call: call[0])
    return _Events(team, calls)


def _send(webhook: Webhook, secret: str, event: str, payload: dict, number: int) -> int:
    """One signed call through the webhook code, as the provider would make it."""
    body = json.dumps(payload).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if webhook.provider == "github":
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": f"demo-{webhook.team.slug}-{number:06d}",
            "X-Hub-Signature-256": f"sha256={signature}",
        }
    else:
        headers = {"X-PagerDuty-Signature": f"v1={signature}"}
    received = webhook_receive(
        provider=webhook.provider, public_id=webhook.public_id, headers=headers, body=body
    )
    if received.status >= 300:
        raise RuntimeError(f"demo {event} refused: {received.body}")
    return received.status


def seed_delivery(teams: Iterable[Team], *, now: datetime | None = None) -> SeededDelivery:
    """Twelve months of demo deployments and incidents for each team without demo webhooks,
    sent as signed GitHub and PagerDuty calls through the webhook code, so the rules place them."""
    now = now or timezone.now()
    teams = list(teams)
    seeded = set(Webhook.objects.filter(team__in=teams, name=DEMO_WEBHOOK).values_list("team_id", flat=True))
    payments = next((t.group for t in teams if t.slug == "checkout" and t.group_id), None)
    if payments is not None:
        DeliveryRules.objects.get_or_create(group=payments, defaults={"production": "production\nprod-*"})
    before = (Deployment.objects.count(), Incident.objects.count())
    for team in teams:
        if team.pk in seeded:
            continue
        github, github_secret = webhook_create(team=team, provider="github", name=DEMO_WEBHOOK)
        pagerduty, pagerduty_secret = webhook_create(team=team, provider="pagerduty", name=DEMO_WEBHOOK)
        events = _team_events(team, now)
        for number, (_at, provider, event, payload) in enumerate(events.calls, start=1):
            if provider == "github":
                _send(github, github_secret, event, payload, number)
            else:
                _send(pagerduty, pagerduty_secret, event, payload, number)
    return SeededDelivery(Deployment.objects.count() - before[0], Incident.objects.count() - before[1])


# --- Enterprise scale (`seed_demo --scale enterprise`) ---------------------------------------

ENTERPRISE_PREFIX = "ent-"
# bulk_insert writes no defaults: the columns the enterprise rows leave as a CSV import would.
BULK_DEPLOYMENT_FIELDS = [
    "is_production", "reported_rework", "commit_sha", "ref", "title", "labels", "origin", "source",
    "routed_by", "placed_by",
]  # fmt: skip
BULK_DEPLOYMENT_DEFAULTS = (True, False, "", "", "", [], "", "import", "", "")
BULK_INCIDENT_FIELDS = [
    "title", "acknowledged_at", "deployment_ref", "commit_shas", "source", "routed_by", "linked_by",
]  # fmt: skip
BULK_INCIDENT_DEFAULTS = ("", None, "", [], "import", "", "")


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
                    *BULK_DEPLOYMENT_DEFAULTS,
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
                            *BULK_INCIDENT_DEFAULTS,
                        ),
                        external_id,
                    )
                )
        if progress and position % tick == 0:
            progress.advance(1)
    fields = ["team", "service", "environment", "deployed_at", "first_commit_at", "status", "is_rework"]
    bulk_insert(Deployment, [*fields, "external_id", "created_at", *BULK_DEPLOYMENT_FIELDS], deployment_rows)
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
            *BULK_INCIDENT_FIELDS,
            "caused_by",
        ],
        ((*row, pks[(row[0], cause)]) for row, cause in incidents),
    )
    DeliveryVersion.objects.bump(team.pk for team in teams)
    if progress:
        progress.advance(1)
    return SeededDelivery(len(deployment_rows), len(incidents))
