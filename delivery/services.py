"""Writes of the delivery app: ingest from pipelines, history import, API tokens.

Ingest is idempotent by external id: the same record again is answered with the stored one, a
different record under a known external id is a conflict. Parallel retries of one ingest meet
at the unique constraint; the loser re-reads and compares instead of failing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.trail import record
from delivery import providers, rules, tokens
from delivery.ingest import SECRET_PURPOSE, rules_for
from delivery.models import ApiToken, DeliveryVersion, Deployment, Incident, Source, Webhook
from delivery.schemas import DeploymentIn, IncidentIn
from teams.models import Team
from teams.sealing import seal


class IngestConflict(Exception):
    """A different record is stored under this external id."""

    def __init__(self, stored: Deployment | Incident) -> None:
        super().__init__(stored.external_id)
        self.stored = stored


class UnknownDeployment(Exception):
    """An incident names a deployment the team never reported."""


class ResolvedBeforeStart(Exception):
    """An incident cannot be resolved before it started."""


@dataclass(frozen=True)
class RowError:
    """One problem in one row of an uploaded file (row 1 is the header)."""

    file: str
    row: int
    field: str
    message: str


@dataclass
class ImportRejected(Exception):
    """The import wrote nothing: these rows need fixing first."""

    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    deployments_created: int
    deployments_present: int
    incidents_created: int
    incidents_present: int


def _deployment_fields(data: DeploymentIn) -> dict:
    return data.model_dump(exclude={"external_id"})


def _placement(team_rules: rules.RuleSet, data: DeploymentIn, source: str) -> dict:
    """What the rules decide for a deployment reported with its fields (API, CSV import)."""
    is_production, why = rules.production(team_rules, data.environment)
    placed = [why, _("rework: reported so by the pipeline")] if data.is_rework else [why]
    return {
        "is_production": is_production,
        "reported_rework": data.is_rework,
        "source": source,
        "placed_by": "\n".join(placed),
    }


def _linked_by(deployment_external_id: str | None) -> str:
    if deployment_external_id:
        return _("caused by: the incident names deployment %(id)s") % {"id": deployment_external_id}
    return _("not linked: the report names no deployment (the API links only by deployment_external_id)")


def _same_deployment(stored: Deployment, fields: dict) -> bool:
    return all(getattr(stored, name) == value for name, value in fields.items())


def _same_incident(stored: Incident, fields: dict, caused_by_id: int | None) -> bool:
    # A repeat without resolved_at matches an incident resolved since: the pipeline is retrying
    # its "opened" report, which says nothing against the later resolution.
    if fields["resolved_at"] is not None and stored.resolved_at != fields["resolved_at"]:
        return False
    return (
        stored.service == fields["service"]
        and stored.severity == fields["severity"]
        and stored.started_at == fields["started_at"]
        and stored.caused_by_id == caused_by_id
    )


@transaction.atomic
def deployment_record(*, team: Team, data: DeploymentIn) -> tuple[Deployment, bool]:
    """Store a reported deployment once: (the deployment, whether it was created now).

    Raises IngestConflict when a different deployment has the external id.
    """
    fields = _deployment_fields(data)
    stored = Deployment.objects.filter(team=team, external_id=data.external_id).first()
    if stored is None:
        try:
            with transaction.atomic():
                placement = _placement(rules_for(team), data, Source.API)
                deployment = Deployment.objects.create(
                    team=team, external_id=data.external_id, **fields, **placement
                )
                return deployment, True
        except IntegrityError:
            # A parallel retry of the same report got there first: compare with what it stored.
            stored = Deployment.objects.filter(team=team, external_id=data.external_id).first()
            if stored is None:
                raise
    if not _same_deployment(stored, fields):
        raise IngestConflict(stored)
    return stored, False


@transaction.atomic
def incident_record(*, team: Team, data: IncidentIn) -> tuple[Incident, bool]:
    """Store a reported incident once: (the incident, whether it was created now).

    Raises UnknownDeployment for a deployment_external_id the team never reported and
    IngestConflict when a different incident has the external id.
    """
    caused_by = None
    if data.deployment_external_id is not None:
        caused_by = Deployment.objects.filter(team=team, external_id=data.deployment_external_id).first()
        if caused_by is None:
            raise UnknownDeployment(data.deployment_external_id)
    fields = data.model_dump(exclude={"external_id", "deployment_external_id"})
    caused_by_id = caused_by.pk if caused_by else None
    stored = (
        Incident.objects.select_related("caused_by").filter(team=team, external_id=data.external_id).first()
    )
    if stored is None:
        try:
            with transaction.atomic():
                incident = Incident.objects.create(
                    team=team,
                    external_id=data.external_id,
                    caused_by=caused_by,
                    deployment_ref=data.deployment_external_id or "",
                    linked_by=_linked_by(data.deployment_external_id),
                    **fields,
                )
                return incident, True
        except IntegrityError:
            stored = (
                Incident.objects.select_related("caused_by")
                .filter(team=team, external_id=data.external_id)
                .first()
            )
            if stored is None:
                raise
    if not _same_incident(stored, fields, caused_by_id):
        raise IngestConflict(stored)
    return stored, False


@transaction.atomic
def incident_resolve(*, team: Team, external_id: str, resolved_at: datetime) -> Incident:
    """Mark an incident resolved; the same time again is a no-op, another time a conflict.

    Raises Incident.DoesNotExist for an unknown external id, ResolvedBeforeStart, IngestConflict.
    """
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("caused_by")
        .get(team=team, external_id=external_id)
    )
    if resolved_at < incident.started_at:
        raise ResolvedBeforeStart(external_id)
    if incident.resolved_at is None:
        incident.resolved_at = resolved_at
        incident.save(update_fields=["resolved_at"])
    elif incident.resolved_at != resolved_at:
        raise IngestConflict(incident)
    return incident


@transaction.atomic
def history_import(
    *,
    team: Team,
    deployments: Sequence[tuple[int, DeploymentIn]],
    incidents: Sequence[tuple[int, IncidentIn]],
    deployments_file: str = "deployments",
    incidents_file: str = "incidents",
) -> ImportResult:
    """Import validated rows ((row number, data) pairs) all or nothing.

    Rows already stored identically are skipped, so an import can be repeated. Raises
    ImportRejected with every row error (conflicting or repeated external ids, unknown causing
    deployments) and writes nothing then.
    """
    errors: list[RowError] = []
    team_rules = rules_for(team)

    known_deployments = {
        d.external_id: d
        for d in Deployment.objects.filter(
            team=team, external_id__in=[data.external_id for _, data in deployments]
        )
    }
    new_deployments: list[Deployment] = []
    seen: dict[str, int] = {}
    present_deployments = 0
    for row, data in deployments:
        if data.external_id in seen:
            errors.append(
                RowError(
                    deployments_file,
                    row,
                    "external_id",
                    _("external_id %(id)s is already used in row %(row)s of this file")
                    % {"id": data.external_id, "row": seen[data.external_id]},
                )
            )
            continue
        seen[data.external_id] = row
        stored = known_deployments.get(data.external_id)
        if stored is None:
            new_deployments.append(
                Deployment(
                    team=team,
                    external_id=data.external_id,
                    **_deployment_fields(data),
                    **_placement(team_rules, data, Source.IMPORT),
                )
            )
        elif _same_deployment(stored, _deployment_fields(data)):
            present_deployments += 1
        else:
            errors.append(
                RowError(
                    deployments_file,
                    row,
                    "external_id",
                    _("a different deployment is already stored under external_id %(id)s")
                    % {"id": data.external_id},
                )
            )

    # Incidents may name deployments stored before or created by this import.
    referenced = {data.deployment_external_id for _, data in incidents if data.deployment_external_id}
    stored_references = set(
        Deployment.objects.filter(team=team, external_id__in=referenced).values_list("external_id", flat=True)
    )
    importable_references = stored_references | {d.external_id for d in new_deployments}
    known_incidents = {
        i.external_id: i
        for i in Incident.objects.select_related("caused_by").filter(
            team=team, external_id__in=[data.external_id for _, data in incidents]
        )
    }
    pending_incidents: list[tuple[IncidentIn, dict]] = []
    seen = {}
    present_incidents = 0
    for row, data in incidents:
        if data.external_id in seen:
            errors.append(
                RowError(
                    incidents_file,
                    row,
                    "external_id",
                    _("external_id %(id)s is already used in row %(row)s of this file")
                    % {"id": data.external_id, "row": seen[data.external_id]},
                )
            )
            continue
        seen[data.external_id] = row
        if data.deployment_external_id and data.deployment_external_id not in importable_references:
            errors.append(
                RowError(
                    incidents_file,
                    row,
                    "deployment_external_id",
                    _("no deployment with external_id %(id)s, neither stored nor in this import")
                    % {"id": data.deployment_external_id},
                )
            )
            continue
        fields = data.model_dump(exclude={"external_id", "deployment_external_id"})
        stored = known_incidents.get(data.external_id)
        if stored is None:
            pending_incidents.append((data, fields))
            continue
        stored_cause = stored.caused_by.external_id if stored.caused_by_id else None
        same_cause = stored_cause == data.deployment_external_id
        if same_cause and _same_incident(stored, fields, stored.caused_by_id):
            present_incidents += 1
        else:
            errors.append(
                RowError(
                    incidents_file,
                    row,
                    "external_id",
                    _("a different incident is already stored under external_id %(id)s")
                    % {"id": data.external_id},
                )
            )

    if errors:
        raise ImportRejected(errors)

    try:
        with transaction.atomic():
            Deployment.objects.bulk_create(new_deployments)
            by_external_id = dict(
                Deployment.objects.filter(
                    team=team, external_id__in=referenced & importable_references
                ).values_list("external_id", "pk")
            )
            Incident.objects.bulk_create(
                Incident(
                    team=team,
                    external_id=data.external_id,
                    deployment_ref=data.deployment_external_id or "",
                    linked_by=_linked_by(data.deployment_external_id),
                    source=Source.IMPORT,
                    caused_by_id=by_external_id.get(data.deployment_external_id or ""),
                    **fields,
                )
                for data, fields in pending_incidents
            )
            # bulk_create sends no signals: cached keys of the team are dropped here.
            if new_deployments or pending_incidents:
                DeliveryVersion.objects.bump([team.pk])
    except IntegrityError as error:
        # A pipeline reported one of these external ids while we were checking them.
        raise ImportRejected(
            [
                RowError(
                    "", 0, "", _("Records arrived from a pipeline during the import; import the files again.")
                )
            ]
        ) from error
    return ImportResult(
        deployments_created=len(new_deployments),
        deployments_present=present_deployments,
        incidents_created=len(pending_incidents),
        incidents_present=present_incidents,
    )


@transaction.atomic
def api_token_create(*, team: Team, name: str, by) -> tuple[ApiToken, str]:
    """A new token for the team: (the stored token, the raw value to show once)."""
    raw = tokens.generate()
    token = ApiToken.objects.create(
        team=team,
        name=name,
        token_hash=tokens.digest(raw),
        shown_part=tokens.shown_part(raw),
        created_by=by,
    )
    record(AuditEvent.Action.TOKEN_CREATED, token, by=by, team=team.slug)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by=None) -> ApiToken:
    """Revoke the token (again is harmless): it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(AuditEvent.Action.TOKEN_REVOKED, token, by=by, team=token.team.slug)
    return token


def webhook_url_path(webhook: Webhook) -> str:
    """The path a provider posts to: one endpoint per provider, the webhook's random id in it."""
    return f"/webhooks/{webhook.provider}/{webhook.public_id}"


@transaction.atomic
def webhook_create(
    *, team: Team, provider: str, name: str = "", by=None, secret: str = ""
) -> tuple[Webhook, str]:
    """A new webhook for the team: (the webhook, the secret to show once).

    Without ``secret`` a random one is made. Providers that only compare a token (GitLab,
    Opsgenie) get it stored as a hash; those that sign with it have it sealed.
    """
    webhook = Webhook(team=team, provider=provider, name=name, public_id=secrets.token_urlsafe(24))
    secret = _webhook_secret_set(webhook, secret)
    webhook.created_by = by
    webhook.save()
    record(AuditEvent.Action.WEBHOOK_CREATED, webhook, by=by, team=team.slug, provider=provider)
    return webhook, secret


def _webhook_secret_set(webhook: Webhook, secret: str) -> str:
    secret = secret.strip() or secrets.token_urlsafe(32)
    if webhook.provider in providers.SIGNED:
        webhook.secret_sealed, webhook.secret_hash = seal(secret, purpose=SECRET_PURPOSE), ""
    else:
        webhook.secret_sealed, webhook.secret_hash = "", providers.hash_secret(secret)
    return secret


@transaction.atomic
def webhook_secret_set(*, webhook: Webhook, secret: str, by=None) -> Webhook:
    """Replace the webhook's secret (PagerDuty makes its own: paste it here); the old one stops at once."""
    _webhook_secret_set(webhook, secret)
    webhook.save(update_fields=["secret_sealed", "secret_hash"])
    record(AuditEvent.Action.WEBHOOK_CREATED, webhook, by=by, team=webhook.team.slug, secret="replaced")
    return webhook


@transaction.atomic
def webhook_revoke(*, webhook: Webhook, by=None) -> Webhook:
    """Revoke the webhook (again is harmless): its URL answers 401 from now on."""
    if webhook.revoked_at is None:
        webhook.revoked_at = timezone.now()
        webhook.save(update_fields=["revoked_at"])
        record(AuditEvent.Action.WEBHOOK_REVOKED, webhook, by=by, team=webhook.team.slug)
    return webhook
