"""Storing what webhooks carry, by the team's rules; applying changed rules to what is stored.

Webhook deliveries are a stream of state changes, so a known external id is updated to the
latest state (a deployment's final status, an incident's acknowledgement and resolution) rather
than refused; the same state again changes nothing. A delivery id seen before is a duplicate:
it is answered and nothing is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.trail import record
from delivery import providers, rules
from delivery.models import (
    Commit,
    DeliveryRules,
    DeliveryVersion,
    Deployment,
    Incident,
    ServiceRoute,
    Source,
    Webhook,
    WebhookDelivery,
)
from teams.models import Team
from teams.sealing import Unreadable, unseal

SECRET_PURPOSE = b"gemba delivery webhook secret"
# How far back an incident looks for its deployment by commit or by id.
LINK_LOOKBACK = timedelta(days=30)


# --- rules


def _rule_set(
    stored: DeliveryRules | None, scope: str, routes: list[ServiceRoute] | None = None
) -> rules.RuleSet:
    if stored is None:
        defaults = tuple(settings.GEMBA_DELIVERY_ENVIRONMENTS) or ("*",)  # empty: every environment
        return rules.RuleSet(scope=scope, production=defaults)
    return rules.RuleSet(
        scope=scope,
        production=rules.patterns(stored.production),
        rework_labels=rules.patterns(stored.rework_labels),
        rework_branches=rules.patterns(stored.rework_branches),
        rework_titles=rules.patterns(stored.rework_titles),
        deploy_workflows=rules.patterns(stored.deploy_workflows),
        link_window=timedelta(hours=stored.link_window_hours),
        routes=tuple(
            rules.Route(route.pattern, route.team_id, route.team.name, route.service)
            for route in (routes if routes is not None else _stored_routes(stored))
        ),
    )


def _stored_routes(stored: DeliveryRules) -> list[ServiceRoute]:
    # Most rules have no routes: a flag on the rules would save this query, a cache could go stale.
    return list(stored.routes.select_related("team"))


def proposed_rules(team: Team, stored: DeliveryRules, routes: list[ServiceRoute]) -> rules.RuleSet:
    """The rules a lead is about to save for the team (not saved yet), for a dry run."""
    return _rule_set(stored, _("rules of team %(team)s") % {"team": team.name}, routes)


def rules_for(team: Team) -> rules.RuleSet:
    """The team's own rules, else its group's, else the defaults (GEMBA_DELIVERY_ENVIRONMENTS).
    One query (two when the rules have routes)."""
    scope = Q(team=team) | Q(group_id=team.group_id) if team.group_id else Q(team=team)
    found = sorted(
        DeliveryRules.objects.filter(scope).select_related("group"), key=lambda r: r.team_id is None
    )
    if not found:
        return _rule_set(None, _("the defaults"))
    stored = found[0]
    if stored.team_id is not None:
        return _rule_set(stored, _("rules of team %(team)s") % {"team": team.name})
    return _rule_set(stored, _("rules of group %(group)s") % {"group": stored.group.name})


class _Rules:
    """Rules per team, read once per delivery."""

    def __init__(self) -> None:
        self._by_team: dict[int, rules.RuleSet] = {}
        self._teams: dict[int, Team] = {}

    def team(self, team_id: int) -> Team:
        if team_id not in self._teams:
            self._teams[team_id] = Team.objects.select_related("group").get(pk=team_id)
        return self._teams[team_id]

    def of(self, team: Team) -> rules.RuleSet:
        self._teams.setdefault(team.pk, team)
        if team.pk not in self._by_team:
            self._by_team[team.pk] = rules_for(team)
        return self._by_team[team.pk]


# --- storing events


@dataclass
class Stored:
    """What one delivery changed, in words for the delivery log and the response."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        counts = _("%(created)s new, %(updated)s updated, %(unchanged)s unchanged") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        return "; ".join([counts, *self.notes])[:400]


def _commit_time(team: Team, sha: str):
    if not sha:
        return None
    if len(sha) >= 40:
        found = Commit.objects.filter(team=team, sha=sha)
    else:  # GitLab sends short SHAs in deployment events
        found = Commit.objects.filter(team=team, sha__startswith=sha)
    return found.values_list("committed_at", flat=True).first()


def commits_record(*, team: Team, events: list[providers.CommitEvent]) -> int:
    """Remember commits' times; deployments of them without a lead time get one. Returns how
    many deployments got one. A few queries however many commits a push carries."""
    times = {event.sha: event.committed_at for event in events if event.sha}
    if not times:
        return 0
    known = dict(Commit.objects.filter(team=team, sha__in=list(times)).values_list("sha", "committed_at"))
    Commit.objects.bulk_create(
        [Commit(team=team, sha=sha, committed_at=at) for sha, at in times.items() if sha not in known],
        ignore_conflicts=True,
    )
    # The full SHA and each short form of it (GitLab's deployments name 8 characters).
    forms = {sha[:length]: sha for sha in times for length in range(7, len(sha) + 1)}
    updated = 0
    for deployment in Deployment.objects.filter(
        team=team, first_commit_at__isnull=True, commit_sha__in=list(forms)
    ):
        committed = times[forms[deployment.commit_sha]]
        if committed <= deployment.deployed_at:
            deployment.first_commit_at = committed
            deployment.save(update_fields=["first_commit_at"])
            updated += 1
    return updated


def _rollback_of(team: Team, event: providers.DeploymentEvent, service: str, environment: str) -> str:
    """The SHA, when this deployment goes back to a commit deployed before the current one."""
    if not (event.succeeded and event.commit_sha):
        return ""
    earlier = list(
        Deployment.objects.filter(
            team=team,
            service=service,
            environment=environment,
            is_production=True,
            status=Deployment.Status.SUCCESS,
            deployed_at__lt=event.deployed_at,
        )
        .exclude(commit_sha="")
        .order_by("-deployed_at")
        .values_list("commit_sha", flat=True)[:50]
    )
    going_back = (
        bool(earlier)
        and not rules.same_sha(earlier[0], event.commit_sha)
        and any(rules.same_sha(sha, event.commit_sha) for sha in earlier[1:])
    )
    return event.commit_sha if going_back else ""


def deployment_store(
    *, webhook_team: Team, event: providers.DeploymentEvent, source: str, cache: _Rules
) -> tuple[Deployment | None, str]:
    """Store one deployment event by the rules: (the deployment or None when the rules skip it,
    "created", "updated", "unchanged" or why it was skipped)."""
    team_rules = cache.of(webhook_team)
    team_id, service, why_team = rules.route(
        team_rules, event.origin, team=webhook_team.pk, team_name=webhook_team.name, service=event.service
    )
    team = cache.team(team_id)
    team_rules = cache.of(team)
    environment = event.environment
    placed = []
    if not environment:  # a GitHub workflow run: a deployment only when the rules say so
        workflow = next((label[9:] for label in event.labels if label.startswith("workflow:")), "")
        pattern = rules.deploys(team_rules, workflow, event.origin.partition(":")[2])
        if pattern is None:
            return None, _("workflow “%(name)s” is not a deploying workflow in the rules") % {
                "name": workflow
            }
        environment = next((p for p in team_rules.production if "*" not in p and "?" not in p), "production")
        placed.append(
            _("deployment: workflow “%(name)s” matches “%(pattern)s”")
            % {"name": workflow, "pattern": pattern}
        )
    is_production, why = rules.production(team_rules, environment, event.environment_tier)
    placed.append(why)
    rollback = _rollback_of(team, event, service, environment) if is_production else ""
    is_rework, why = rules.rework(
        team_rules,
        reported=event.reported_rework,
        labels=[label for label in event.labels if not label.startswith("workflow:")],
        ref=event.ref,
        title=event.title,
        rollback_of=rollback,
    )
    if why:
        placed.append(why)
    first_commit = event.first_commit_at or _commit_time(team, event.commit_sha)
    if first_commit is not None and first_commit > event.deployed_at:
        first_commit = None  # a clock skew or a rebuilt commit: no lead time rather than a negative one
    fields = {
        "service": service[:100],
        "environment": environment[:50],
        "is_production": is_production,
        "deployed_at": event.deployed_at,
        "first_commit_at": first_commit,
        "status": Deployment.Status.SUCCESS if event.succeeded else Deployment.Status.FAILURE,
        "is_rework": is_rework,
        "reported_rework": event.reported_rework,
        "commit_sha": event.commit_sha,
        "ref": event.ref,
        "title": event.title,
        "labels": list(event.labels),
        "origin": event.origin,
        "source": source,
        "routed_by": why_team[:400],
        "placed_by": "\n".join(placed),
    }
    stored = Deployment.objects.filter(team=team, external_id=event.external_id).first()
    if stored is None:
        try:
            with transaction.atomic():
                deployment = Deployment.objects.create(team=team, external_id=event.external_id, **fields)
        except IntegrityError:
            stored = Deployment.objects.filter(team=team, external_id=event.external_id).first()
            if stored is None:
                raise
        else:
            if is_production:
                _relink_waiting(team, deployment, cache)
            return deployment, "created"
    if stored.first_commit_at is not None and fields["first_commit_at"] is None:
        fields["first_commit_at"] = stored.first_commit_at
    changed = [name for name, value in fields.items() if getattr(stored, name) != value]
    if not changed:
        return stored, "unchanged"
    for name in changed:
        setattr(stored, name, fields[name])
    stored.save(update_fields=changed)
    return stored, "updated"


def _candidates(team: Team, started_at, deployment_ref: str) -> list[rules.Candidate]:
    recent = Q(deployed_at__gte=started_at - LINK_LOOKBACK, deployed_at__lte=started_at)
    named = Q(external_id=deployment_ref) if deployment_ref else Q(pk__in=[])
    rows = Deployment.objects.filter(team=team, is_production=True, status=Deployment.Status.SUCCESS).filter(
        recent | named
    )
    return [
        rules.Candidate(pk, external_id, service, sha, deployed_at)
        for pk, external_id, service, sha, deployed_at in rows.values_list(
            "pk", "external_id", "service", "commit_sha", "deployed_at"
        )
    ]


def _link(team: Team, incident: Incident, team_rules: rules.RuleSet) -> tuple[int | None, str]:
    key, why = rules.link(
        team_rules,
        candidates=_candidates(team, incident.started_at, incident.deployment_ref),
        deployment_ref=incident.deployment_ref,
        shas=incident.commit_shas,
        service=incident.service,
        started_at=incident.started_at,
    )
    return key, why  # type: ignore[return-value]


def _relink_waiting(team: Team, deployment: Deployment, cache: _Rules) -> None:
    """Incidents that arrived before the deployment that caused them find it now."""
    waiting = Incident.objects.filter(
        team=team,
        caused_by__isnull=True,
        started_at__gte=deployment.deployed_at,
        started_at__lte=deployment.deployed_at + LINK_LOOKBACK,
    )
    for incident in waiting:
        key, why = _link(team, incident, cache.of(team))
        if key is not None:
            incident.caused_by_id, incident.linked_by = key, why
            incident.save(update_fields=["caused_by", "linked_by"])


def incident_store(
    *, webhook_team: Team, event: providers.IncidentEvent, source: str, cache: _Rules
) -> tuple[Incident, str]:
    """Store one incident event by the rules, merging the states it went through."""
    team_id, service, why_team = rules.route(
        cache.of(webhook_team),
        event.origin,
        team=webhook_team.pk,
        team_name=webhook_team.name,
        service=event.service,
    )
    team = cache.team(team_id)
    stored = Incident.objects.filter(team=team, external_id=event.external_id).first()
    if stored is None:
        incident = Incident(
            team=team,
            external_id=event.external_id,
            service=service[:100],
            severity=event.severity,
            title=event.title,
            started_at=event.started_at,
            acknowledged_at=event.acknowledged_at,
            resolved_at=event.resolved_at
            if event.resolved_at and event.resolved_at >= event.started_at
            else None,
            deployment_ref=event.deployment_ref,
            commit_shas=rules.shas_in(event.text),
            source=source,
        )
        key, why = _link(team, incident, cache.of(team))
        incident.caused_by_id = key
        incident.routed_by, incident.linked_by = why_team[:400], why
        try:
            with transaction.atomic():
                incident.save()
        except IntegrityError:
            stored = Incident.objects.filter(team=team, external_id=event.external_id).first()
            if stored is None:
                raise
        else:
            return incident, "created"
    changed = []
    if event.acknowledged_at and stored.acknowledged_at is None:
        stored.acknowledged_at = event.acknowledged_at
        changed.append("acknowledged_at")
    if event.resolved_at and stored.resolved_at is None and event.resolved_at >= stored.started_at:
        stored.resolved_at = event.resolved_at
        changed.append("resolved_at")
    if event.severity != stored.severity and event.severity == "critical":
        stored.severity = event.severity
        changed.append("severity")
    if changed:
        stored.save(update_fields=changed)
        return stored, "updated"
    return stored, "unchanged"


# --- webhooks


@dataclass(frozen=True)
class Received:
    """The answer to one call: HTTP status and JSON body."""

    status: int
    body: dict


def webhook_secret(webhook: Webhook) -> str:
    """The signing secret of a webhook whose provider signs (GitHub, PagerDuty, generic)."""
    return unseal(webhook.secret_sealed, purpose=SECRET_PURPOSE) if webhook.secret_sealed else ""


def webhook_receive(*, provider: str, public_id: str, headers: Mapping[str, str], body: bytes) -> Received:
    """Verify, read and store one call to a webhook URL, all or nothing."""
    webhook = (
        Webhook.objects.active()
        .select_related("team__group")
        .filter(public_id=public_id, provider=provider)
        .first()
    )
    if webhook is None:
        return Received(401, {"detail": _("Unknown or revoked webhook.")})
    try:
        providers.verify(
            provider,
            headers,
            body,
            secret=webhook_secret(webhook) if provider in providers.SIGNED else "",
            secret_hash=webhook.secret_hash,
        )
    except Unreadable:
        return Received(
            401, {"detail": _("The webhook's secret must be set again (DJANGO_SECRET_KEY changed).")}
        )
    except providers.Unauthorized as refused:
        return Received(401, {"detail": str(refused)})
    try:
        parsed = providers.parse(provider, headers, body)
    except providers.BadPayload as bad:
        return Received(400, {"detail": str(bad)})
    try:
        with transaction.atomic():
            return _store(webhook, parsed)
    except IntegrityError:
        # The same delivery arrived twice at once: the other one stored it.
        return Received(200, {"outcome": "duplicate", "delivery": parsed.delivery_id})


def _store(webhook: Webhook, parsed: providers.Parsed) -> Received:
    if WebhookDelivery.objects.filter(webhook=webhook, delivery_id=parsed.delivery_id).exists():
        return Received(
            200,
            {
                "outcome": "duplicate",
                "delivery": parsed.delivery_id,
                "detail": _("Seen before: nothing changed."),
            },
        )
    stored, cache, source = Stored(), _Rules(), Source(webhook.provider)
    cache.of(webhook.team)
    commits_record(
        team=webhook.team, events=[e for e in parsed.events if isinstance(e, providers.CommitEvent)]
    )
    for event in parsed.events:
        if isinstance(event, providers.CommitEvent):
            continue
        if isinstance(event, providers.DeploymentEvent):
            record, what = deployment_store(
                webhook_team=webhook.team, event=event, source=source, cache=cache
            )
        else:
            record, what = incident_store(webhook_team=webhook.team, event=event, source=source, cache=cache)
        if record is None:
            stored.notes.append(what)
        else:
            setattr(stored, what, getattr(stored, what) + 1)
    if parsed.note:
        stored.notes.append(parsed.note)
    outcome = (
        WebhookDelivery.Outcome.STORED
        if stored.created or stored.updated
        else WebhookDelivery.Outcome.IGNORED
    )
    WebhookDelivery.objects.create(
        webhook=webhook,
        delivery_id=parsed.delivery_id,
        event=parsed.event[:100],
        outcome=outcome,
        summary=stored.summary,
    )
    now = timezone.now()
    if webhook.last_delivery_at is None or (now - webhook.last_delivery_at).total_seconds() >= 60:
        Webhook.objects.filter(pk=webhook.pk).update(last_delivery_at=now)
    status = 201 if stored.created else 200
    return Received(
        status,
        {
            "outcome": outcome.value,
            "delivery": parsed.delivery_id,
            "created": stored.created,
            "updated": stored.updated,
            "unchanged": stored.unchanged,
            "notes": stored.notes,
        },
    )


# --- applying changed rules to what is stored

APPLY_DAYS = 365


@dataclass(frozen=True)
class Move:
    """One stored record the rules would place differently."""

    kind: str  # "deployment" or "incident"
    external_id: str
    service: str
    at: object
    change: str  # in words: "production → not production"
    why: str


def _yes_no(value: bool, yes: str, no: str) -> str:
    return yes if value else no


def rules_apply(*, team: Team, dry_run: bool, by=None, proposed: rules.RuleSet | None = None) -> list[Move]:
    """Place the team's stored deployments and webhook incidents of the last year again by its
    rules in force (or the ``proposed`` ones): production, rework (with rollbacks) and incident
    links. With ``dry_run`` only says what would move. Routes to teams apply to events from now on."""
    team_rules = proposed or rules_for(team)
    since = timezone.now() - timedelta(days=APPLY_DAYS)
    deployments = list(
        Deployment.objects.filter(team=team, deployed_at__gte=since).order_by("deployed_at", "pk")
    )
    moves: list[Move] = []
    changed_deployments: list[Deployment] = []
    history: dict[tuple[str, str], list[str]] = {}
    for deployment in deployments:
        is_production, why_production = rules.production(team_rules, deployment.environment)
        rollback = ""
        if is_production and deployment.status == Deployment.Status.SUCCESS and deployment.commit_sha:
            earlier = history.setdefault((deployment.service, deployment.environment), [])
            if (
                earlier
                and not rules.same_sha(earlier[-1], deployment.commit_sha)
                and any(rules.same_sha(sha, deployment.commit_sha) for sha in earlier[:-1])
            ):
                rollback = deployment.commit_sha
            earlier.append(deployment.commit_sha)
        is_rework, why_rework = rules.rework(
            team_rules,
            reported=deployment.reported_rework,
            labels=[label for label in deployment.labels if not str(label).startswith("workflow:")],
            ref=deployment.ref,
            title=deployment.title,
            rollback_of=rollback,
        )
        placed_by = "\n".join(line for line in (why_production, why_rework) if line)
        if is_production != deployment.is_production:
            moves.append(
                Move(
                    "deployment",
                    deployment.external_id,
                    deployment.service,
                    deployment.deployed_at,
                    _yes_no(
                        is_production, _("not production → production"), _("production → not production")
                    ),
                    why_production,
                )
            )
        if is_rework != deployment.is_rework:
            moves.append(
                Move(
                    "deployment",
                    deployment.external_id,
                    deployment.service,
                    deployment.deployed_at,
                    _yes_no(is_rework, _("planned → rework"), _("rework → planned")),
                    why_rework or _("rework: no rule matches any more"),
                )
            )
        if (is_production, is_rework, placed_by) != (
            deployment.is_production,
            deployment.is_rework,
            deployment.placed_by,
        ):
            deployment.is_production, deployment.is_rework, deployment.placed_by = (
                is_production,
                is_rework,
                placed_by,
            )
            changed_deployments.append(deployment)

    candidates = [
        rules.Candidate(d.pk, d.external_id, d.service, d.commit_sha, d.deployed_at)
        for d in deployments
        if d.is_production and d.status == Deployment.Status.SUCCESS
    ]
    by_pk = {d.pk: d for d in deployments}
    webhook_sources = [Source.GITHUB, Source.GITLAB, Source.PAGERDUTY, Source.OPSGENIE, Source.GENERIC]
    changed_incidents: list[Incident] = []
    incidents = Incident.objects.filter(
        team=team, started_at__gte=since, source__in=webhook_sources
    ).select_related("caused_by")
    for incident in incidents:
        key, why = rules.link(
            team_rules,
            candidates=[
                c
                for c in candidates
                if incident.started_at - LINK_LOOKBACK <= c.deployed_at <= incident.started_at
            ],
            deployment_ref=incident.deployment_ref,
            shas=incident.commit_shas,
            service=incident.service,
            started_at=incident.started_at,
        )
        if key != incident.caused_by_id:
            before = incident.caused_by.external_id if incident.caused_by_id else _("no deployment")
            after = by_pk[key].external_id if key in by_pk else _("no deployment")  # type: ignore[index]
            moves.append(
                Move(
                    "incident",
                    incident.external_id,
                    incident.service,
                    incident.started_at,
                    f"{before} → {after}",
                    why,
                )
            )
        if (key, why) != (incident.caused_by_id, incident.linked_by):
            incident.caused_by_id, incident.linked_by = key, why  # type: ignore[assignment]
            changed_incidents.append(incident)

    if not dry_run and (changed_deployments or changed_incidents):
        with transaction.atomic():
            Deployment.objects.bulk_update(
                changed_deployments, ["is_production", "is_rework", "placed_by"], 500
            )
            Incident.objects.bulk_update(changed_incidents, ["caused_by", "linked_by"], 500)
            DeliveryVersion.objects.bump([team.pk])
            record(AuditEvent.Action.RULES_CHANGED, team, by=by, team=team.slug, moved=len(moves))
    return moves


@transaction.atomic
def rules_change(*, team: Team, stored: DeliveryRules, routes: list[ServiceRoute], by=None) -> list[Move]:
    """Save the team's own rules (with their routes, replacing the old ones) and apply them to
    what is stored: returns what moved."""
    stored.team, stored.group = team, None
    stored.save()
    stored.routes.all().delete()
    for position, route in enumerate(routes):
        route.rules, route.position = stored, position
    ServiceRoute.objects.bulk_create(routes)
    moves = rules_apply(team=team, dry_run=False, by=by)
    DeliveryVersion.objects.bump([team.pk])  # the page names the rules in force, moved or not
    if not moves:
        record(AuditEvent.Action.RULES_CHANGED, team, by=by, team=team.slug, moved=0)
    return moves
