from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delivery import dora, tokens
from teams.models import Team

# A pipeline's identifiers (external ids, service and environment names) are bounded so a
# misbehaving client cannot fill the database; the API schemas use the same limits.
EXTERNAL_ID_LENGTH = 200
SERVICE_LENGTH = 100
ENVIRONMENT_LENGTH = 50


class DeploymentQuerySet(models.QuerySet["Deployment"]):
    def counted(self) -> DeploymentQuerySet:
        """Deployments to the environments the keys measure (GEMBA_DELIVERY_ENVIRONMENTS; all if empty)."""
        environments = settings.GEMBA_DELIVERY_ENVIRONMENTS
        return self.filter(environment__in=environments) if environments else self

    def for_teams(self, teams: Iterable[Team] | models.QuerySet[Team]) -> DeploymentQuerySet:
        return self.filter(team__in=teams)

    def since(self, moment: datetime) -> DeploymentQuerySet:
        return self.filter(deployed_at__gte=moment)

    def records(self) -> list[tuple[int, dora.DeploymentRecord]]:
        """(team id, record) pairs for the pure DORA functions, oldest first, in one query."""
        rows = self.order_by("deployed_at").values_list(
            "team_id", "pk", "deployed_at", "first_commit_at", "status", "is_rework", "service", "environment"
        )
        return [
            (
                team_id,
                dora.DeploymentRecord(
                    key=pk,
                    deployed_at=deployed_at,
                    first_commit_at=first_commit_at,
                    succeeded=status == Deployment.Status.SUCCESS,
                    is_rework=is_rework,
                    service=service,
                    environment=environment,
                ),
            )
            for team_id, pk, deployed_at, first_commit_at, status, is_rework, service, environment in rows
        ]


class Deployment(models.Model):
    class Status(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="deployments", verbose_name=_("team")
    )
    service = models.CharField(_("service"), max_length=SERVICE_LENGTH)
    environment = models.CharField(
        _("environment"),
        max_length=ENVIRONMENT_LENGTH,
        help_text=_("Stored in lower case; the keys count the environments in GEMBA_DELIVERY_ENVIRONMENTS."),
    )
    deployed_at = models.DateTimeField(_("deployed at"))
    first_commit_at = models.DateTimeField(_("first commit at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    is_rework = models.BooleanField(
        _("rework"), default=False, help_text=_("An unplanned deployment to fix a problem in production.")
    )
    external_id = models.CharField(
        _("external id"), max_length=EXTERNAL_ID_LENGTH, help_text=_("The pipeline's id; unique per team.")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = DeploymentQuerySet.as_manager()

    class Meta:
        ordering = ["-deployed_at"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "external_id"], name="deployment_unique_team_external_id"
            ),
            models.CheckConstraint(
                condition=Q(first_commit_at__lte=F("deployed_at")), name="deployment_commit_before_deploy"
            ),
        ]
        indexes = [models.Index(fields=["team", "deployed_at"], name="deployment_team_deployed")]

    def __str__(self) -> str:
        return f"{self.service} → {self.environment} ({self.external_id})"


class IncidentQuerySet(models.QuerySet["Incident"]):
    def for_teams(self, teams: Iterable[Team] | models.QuerySet[Team]) -> IncidentQuerySet:
        return self.filter(team__in=teams)

    def around(self, moment: datetime) -> IncidentQuerySet:
        """Incidents started since the moment or caused by a deployment made since then."""
        return self.filter(Q(started_at__gte=moment) | Q(caused_by__deployed_at__gte=moment))

    def records(self) -> list[tuple[int, dora.IncidentRecord]]:
        """(team id, record) pairs for the pure DORA functions, in one query."""
        rows = self.order_by("started_at").values_list("team_id", "started_at", "resolved_at", "caused_by_id")
        return [
            (team_id, dora.IncidentRecord(started_at=started, resolved_at=resolved, deployment=caused_by))
            for team_id, started, resolved, caused_by in rows
        ]


class Incident(models.Model):
    class Severity(models.TextChoices):
        CRITICAL = "critical", _("critical")
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="incidents", verbose_name=_("team"))
    service = models.CharField(_("service"), max_length=SERVICE_LENGTH)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    started_at = models.DateTimeField(_("started at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    caused_by = models.ForeignKey(
        Deployment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("caused by deployment"),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=EXTERNAL_ID_LENGTH,
        help_text=_("The reporting system's id; unique per team."),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.UniqueConstraint(fields=["team", "external_id"], name="incident_unique_team_external_id"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("started_at")),
                name="incident_resolved_after_start",
            ),
        ]
        indexes = [models.Index(fields=["team", "started_at"], name="incident_team_started")]

    def __str__(self) -> str:
        return f"{self.service}: {self.get_severity_display()} ({self.external_id})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def authenticate(self, raw: str) -> ApiToken | None:
        """The active token with this raw value (with its team), or None; notes when it was used."""
        if not tokens.looks_valid(raw):
            return None
        token = self.active().select_related("team").filter(token_hash=tokens.digest(raw)).first()
        if token is not None:
            token.touch()
        return token


class ApiToken(models.Model):
    """A team's key to the ingest API. Only the hash is stored; the token is shown once."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("team")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Where it is used, e.g. “GitHub Actions”.")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    shown_part = models.CharField(_("starts with"), max_length=tokens.SHOWN, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["team__name", "-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.shown_part}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def touch(self) -> None:
        """Record a use, at most once a minute: a busy pipeline must not write on every call."""
        now = timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() >= 60:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class DeliveryVersionQuerySet(models.QuerySet["DeliveryVersion"]):
    def bump(self, team_ids: Iterable[int]) -> None:
        """Give these teams a new version: delivery keys cached for them are never read again.

        One upsert, in the caller's transaction, so the version changes exactly when the
        deployments or incidents do (and not at all when their transaction rolls back).
        """
        version = uuid.uuid4().hex
        rows = [DeliveryVersion(team_id=team_id, version=version) for team_id in set(team_ids)]
        if rows:
            self.bulk_create(rows, update_conflicts=True, unique_fields=["team"], update_fields=["version"])

    def of(self, team_ids: Iterable[int]) -> dict[int, str]:
        """team id → its version ("" for a team that never had a deployment or incident)."""
        team_ids = list(team_ids)
        found = dict(self.filter(team_id__in=team_ids).values_list("team_id", "version"))
        return {team_id: found.get(team_id, "") for team_id in team_ids}


class DeliveryVersion(models.Model):
    """Changes whenever a team's deployments or incidents change; caches of its keys are keyed on it.

    Kept in the database, not the cache, so every app server (and a local-memory cache in each
    worker) sees a change at once and a cached number is never stale.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.CharField(max_length=32)

    objects = DeliveryVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery version")
        verbose_name_plural = _("delivery versions")

    def __str__(self) -> str:
        return f"{self.team_id}: {self.version}"
