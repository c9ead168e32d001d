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


ORIGIN_LENGTH = 300
NOTE_LENGTH = 400
TITLE_LENGTH = 300
SHA_LENGTH = 64


class Source(models.TextChoices):
    """How a record reached Gemba."""

    API = "api", _("JSON API")
    IMPORT = "import", _("CSV import")
    GITHUB = "github", _("GitHub")
    GITLAB = "gitlab", _("GitLab")
    PAGERDUTY = "pagerduty", _("PagerDuty")
    OPSGENIE = "opsgenie", _("Opsgenie")
    GENERIC = "generic", _("generic webhook")
    ADMIN = "admin", _("admin")


class DeploymentQuerySet(models.QuerySet["Deployment"]):
    def counted(self) -> DeploymentQuerySet:
        """Deployments to production (as the team's rules decided when they arrived or were applied)."""
        return self.filter(is_production=True)

    def for_teams(self, teams: Iterable[Team] | models.QuerySet[Team]) -> DeploymentQuerySet:
        return self.filter(team__in=teams)

    def since(self, moment: datetime) -> DeploymentQuerySet:
        return self.filter(deployed_at__gte=moment)

    def records(self) -> list[tuple[int, dora.DeploymentRecord]]:
        """(team id, record) pairs for the pure DORA functions, oldest first, in one query."""
        rows = self.order_by("deployed_at", "pk").values_list(
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


class VersionedByTeam(models.Model):
    """A record the team's DORA keys are computed from: saving or deleting one gives the team a
    new DeliveryVersion (in the same transaction), so its cached keys are never read again.
    Bulk writes (``bulk_create``, ``update``, a queryset's ``delete``) bump it themselves."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        DeliveryVersion.objects.bump([self.team_id])

    def delete(self, *args, **kwargs):
        team_id = self.team_id
        deleted = super().delete(*args, **kwargs)
        DeliveryVersion.objects.bump([team_id])
        return deleted


class Deployment(VersionedByTeam):
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
        help_text=_("Stored in lower case; the team's rules say which environments are production."),
    )
    is_production = models.BooleanField(
        _("production"),
        default=True,
        help_text=_("Counted by the keys: the rules said it went to production."),
    )
    deployed_at = models.DateTimeField(_("deployed at"))
    first_commit_at = models.DateTimeField(
        _("commit time"),
        null=True,
        blank=True,
        help_text=_("When the change was committed; empty when the source did not tell (no lead time then)."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        help_text=_("failure: a pipeline run that never reached the environment (a failed attempt)."),
    )
    is_rework = models.BooleanField(
        _("rework"), default=False, help_text=_("An unplanned deployment to fix a problem in production.")
    )
    reported_rework = models.BooleanField(
        _("reported as rework"), default=False, help_text=_("The source itself said it was rework.")
    )
    commit_sha = models.CharField(_("commit"), max_length=SHA_LENGTH, blank=True)
    ref = models.CharField(_("branch or tag"), max_length=EXTERNAL_ID_LENGTH, blank=True)
    title = models.CharField(_("title"), max_length=TITLE_LENGTH, blank=True)
    labels = models.JSONField(_("labels"), default=list, blank=True)
    origin = models.CharField(
        _("origin"), max_length=ORIGIN_LENGTH, blank=True, help_text=_("Repository and path it came from.")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.API)
    routed_by = models.CharField(
        _("team by"), max_length=NOTE_LENGTH, blank=True, help_text=_("Which rule gave it its team.")
    )
    placed_by = models.TextField(
        _("placed by"), blank=True, help_text=_("Which rules decided production and rework.")
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
                condition=Q(first_commit_at__isnull=True) | Q(first_commit_at__lte=F("deployed_at")),
                name="deployment_commit_before_deploy",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "deployed_at"], name="deployment_team_deployed"),
            models.Index(fields=["team", "commit_sha"], name="deployment_team_commit"),
        ]

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
        rows = self.order_by("started_at", "pk").values_list(
            "team_id", "started_at", "resolved_at", "caused_by_id"
        )
        return [
            (team_id, dora.IncidentRecord(started_at=started, resolved_at=resolved, deployment=caused_by))
            for team_id, started, resolved, caused_by in rows
        ]


class Incident(VersionedByTeam):
    class Severity(models.TextChoices):
        CRITICAL = "critical", _("critical")
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="incidents", verbose_name=_("team"))
    service = models.CharField(_("service"), max_length=SERVICE_LENGTH)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    title = models.CharField(_("title"), max_length=TITLE_LENGTH, blank=True)
    started_at = models.DateTimeField(_("started at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
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
    deployment_ref = models.CharField(
        _("deployment named"),
        max_length=EXTERNAL_ID_LENGTH,
        blank=True,
        help_text=_("The external id of the causing deployment, as the incident named it."),
    )
    commit_shas = models.JSONField(_("commits named"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.API)
    routed_by = models.CharField(
        _("team by"), max_length=NOTE_LENGTH, blank=True, help_text=_("Which rule gave it its team.")
    )
    linked_by = models.TextField(
        _("linked by"), blank=True, help_text=_("How it found its deployment, or why not.")
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
        # Hundreds of teams (an org page) read every version: a list of 4,000 ids to match
        # costs the database ten times more than the table's rows.
        rows = self.filter(team_id__in=team_ids) if len(team_ids) <= 200 else self.all()
        found = dict(rows.values_list("team_id", "version"))
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


class Provider(models.TextChoices):
    GITHUB = "github", _("GitHub")
    GITLAB = "gitlab", _("GitLab")
    PAGERDUTY = "pagerduty", _("PagerDuty")
    OPSGENIE = "opsgenie", _("Opsgenie")
    GENERIC = "generic", _("Generic signed JSON")


class WebhookQuerySet(models.QuerySet["Webhook"]):
    def active(self) -> WebhookQuerySet:
        return self.filter(revoked_at__isnull=True)

    def with_last_delivery(self) -> WebhookQuerySet:
        """Annotate ``last_event``, ``last_outcome``, ``last_summary`` and ``last_received_at``
        of each webhook's latest delivery, in the same query."""
        latest = WebhookDelivery.objects.filter(webhook=models.OuterRef("pk")).order_by("-received_at", "-pk")
        return self.annotate(
            **{
                f"last_{name}": models.Subquery(latest.values(name)[:1])
                for name in ("event", "outcome", "summary", "received_at")
            }
        )


class Webhook(models.Model):
    """One provider's way into a team's delivery data: a URL with a random id and a secret.

    A secret the provider only compares (GitLab's token, the header Opsgenie sends) is kept as a
    SHA-256 hash; a secret the provider signs with (GitHub, PagerDuty, generic) must be read to
    check a signature, so it is sealed with a key derived from DJANGO_SECRET_KEY.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("team"))
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    public_id = models.CharField(_("URL id"), max_length=43, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    secret_sealed = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_delivery_at = models.DateTimeField(_("last delivery"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["team__name", "-created_at"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return f"{self.get_provider_display()} → {self.team} ({self.public_id[:6]}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_hash or self.secret_sealed)


class WebhookDelivery(models.Model):
    """One call a webhook received: what it was and what became of it. A delivery id seen before
    is answered as a duplicate and changes nothing."""

    class Outcome(models.TextChoices):
        STORED = "stored", _("stored")
        DUPLICATE = "duplicate", _("duplicate, nothing changed")
        IGNORED = "ignored", _("ignored")
        REFUSED = "refused", _("refused")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.CharField(_("delivery id"), max_length=EXTERNAL_ID_LENGTH)
    event = models.CharField(_("event"), max_length=100)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    summary = models.CharField(_("summary"), max_length=NOTE_LENGTH, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "delivery_id"], name="webhookdelivery_unique_id"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.delivery_id}: {self.outcome}"


class DeliveryRules(models.Model):
    """The rules of one team, or of a group (for its teams without their own).

    Patterns are one per line, shell-style (``prod*``), without regard to case.
    """

    team = models.OneToOneField(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="delivery_rules"
    )
    group = models.OneToOneField(
        "teams.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="delivery_rules"
    )
    production = models.TextField(
        _("production environments"),
        default="production\nprod",
        help_text=_("Environment names or patterns that count as production, one per line (e.g. prod-*)."),
    )
    rework_labels = models.TextField(
        _("rework labels"),
        blank=True,
        default="rework\nhotfix\nrollback",
        help_text=_("A deployment with one of these labels is rework."),
    )
    rework_branches = models.TextField(
        _("rework branches"),
        blank=True,
        default="hotfix/*\nhotfix-*",
        help_text=_("A deployment from a branch matching one of these is rework."),
    )
    rework_titles = models.TextField(
        _("rework titles"),
        blank=True,
        default="hotfix*\nrevert*\nrollback*",
        help_text=_("A deployment whose title or commit message matches one of these is rework."),
    )
    deploy_workflows = models.TextField(
        _("deploying workflows"),
        blank=True,
        help_text=_(
            "GitHub workflow names or paths (e.g. .github/workflows/deploy*.yml) whose completed runs are "
            "deployments. Leave empty when you deploy with GitHub deployments."
        ),
    )
    link_window_hours = models.PositiveSmallIntegerField(
        _("link window (hours)"),
        default=24,
        help_text=_(
            "An incident with no deployment or commit named is linked to the last production deployment "
            "of its service within this many hours before it started. 0: never guess."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("delivery rules")
        verbose_name_plural = _("delivery rules")
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(group__isnull=True))
                | (Q(team__isnull=True) & Q(group__isnull=False)),
                name="deliveryrules_team_or_group",
            ),
        ]

    def __str__(self) -> str:
        return str(_("rules of %(scope)s") % {"scope": self.team or self.group})


class ServiceRoute(models.Model):
    """Events from an origin that matches the pattern belong to this team (a monorepo maps paths)."""

    rules = models.ForeignKey(DeliveryRules, on_delete=models.CASCADE, related_name="routes")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    pattern = models.CharField(
        _("origin pattern"),
        max_length=ORIGIN_LENGTH,
        help_text=_(
            "Repository, repository:path or service, e.g. acme/shop:services/checkout/* or Checkout API."
        ),
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", verbose_name=_("team"))
    service = models.CharField(
        _("service"), max_length=SERVICE_LENGTH, blank=True, help_text=_("Store under this service name.")
    )

    class Meta:
        ordering = ["rules", "position", "pk"]
        verbose_name = _("service route")
        verbose_name_plural = _("service routes")

    def __str__(self) -> str:
        return f"{self.pattern} → {self.team}"


class Commit(models.Model):
    """When a commit was made, as a push or pipeline event told: gives a deployment of it its lead time."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    sha = models.CharField(_("commit"), max_length=SHA_LENGTH)
    committed_at = models.DateTimeField(_("committed at"))

    class Meta:
        verbose_name = _("commit")
        verbose_name_plural = _("commits")
        constraints = [models.UniqueConstraint(fields=["team", "sha"], name="commit_unique_team_sha")]

    def __str__(self) -> str:
        return self.sha[:12]
