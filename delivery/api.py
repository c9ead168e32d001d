"""The ingest API for CI/CD pipelines and the team metrics endpoint (django-ninja router).

portal/api.py mounts this router on the site's NinjaAPI under /api/v1/. Pipelines authenticate
with ``Authorization: Bearer <token>``; the token decides the team. Errors are JSON:
``{"detail": "..."}`` or, for invalid fields, ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``.
"""

from __future__ import annotations

import math
import time
from typing import Annotated

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.security import HttpBearer, django_auth
from ninja.throttling import BaseThrottle

from delivery import dora
from delivery.ingest import rules_for
from delivery.metrics import window_keys
from delivery.models import ApiToken, Incident
from delivery.schemas import (
    DeploymentConflictOut,
    DeploymentIn,
    DeploymentOut,
    ErrorOut,
    ExternalId,
    IncidentConflictOut,
    IncidentIn,
    IncidentOut,
    IncidentResolve,
    MetricsOut,
    ValidationErrorOut,
)
from delivery.services import (
    IngestConflict,
    ResolvedBeforeStart,
    UnknownDeployment,
    deployment_record,
    incident_record,
    incident_resolve,
)
from teams.access import team_for_user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: an active API token, whose team the request acts for."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return ApiToken.objects.authenticate(token.strip())


class TokenRateThrottle(BaseThrottle):
    """At most GEMBA_API_RATE_LIMIT requests per token in each GEMBA_API_RATE_PERIOD seconds.

    A fixed-window counter in the cache (shared by every app server when CACHE_URL is Redis).
    Session users are not counted: they are people in a browser, not pipelines.
    """

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        limit, period = settings.GEMBA_API_RATE_LIMIT, max(settings.GEMBA_API_RATE_PERIOD, 1)
        if not isinstance(token, ApiToken) or limit <= 0:
            return True
        key = f"delivery:api-rate:{token.pk}:{int(time.time() // period)}"
        # add() is a no-op when the key exists, so concurrent first requests do not reset it.
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=period + 1)
            count = 1
        return count <= limit

    def wait(self) -> float:
        period = max(settings.GEMBA_API_RATE_PERIOD, 1)
        return max(1.0, math.ceil(period - time.time() % period))


token_auth = TokenAuth()
router = Router(tags=["delivery"], throttle=[TokenRateThrottle()])

COMMON_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    422: ValidationErrorOut,
    429: ErrorOut,
}


def _field_error(field: str, message: str, kind: str) -> dict:
    return {"detail": [{"loc": ["body", "payload", field], "msg": message, "type": kind}]}


@router.post(
    "/deployments",
    auth=token_auth,
    response={200: DeploymentOut, 201: DeploymentOut, 409: DeploymentConflictOut, **COMMON_ERRORS},
    summary="Report a deployment",
    description=(
        "Idempotent by external_id: 201 with the deployment when it is new, 200 with the stored "
        "one when the same deployment was reported before, 409 when a different deployment has "
        "that external_id."
    ),
)
def post_deployment(request: HttpRequest, payload: DeploymentIn):
    try:
        deployment, created = deployment_record(team=request.auth.team, data=payload)
    except IngestConflict as conflict:
        return Status(
            409,
            {
                "detail": _("A different deployment is stored under external_id %(id)s.")
                % {"id": payload.external_id},
                "stored": conflict.stored,
            },
        )
    return Status((201 if created else 200), deployment)


@router.post(
    "/incidents",
    auth=token_auth,
    response={200: IncidentOut, 201: IncidentOut, 409: IncidentConflictOut, **COMMON_ERRORS},
    summary="Report an incident",
    description=(
        "Idempotent by external_id like deployments. deployment_external_id links the incident "
        "to the deployment that caused it (it must have been reported first); resolved_at may "
        "come later with PATCH."
    ),
)
def post_incident(request: HttpRequest, payload: IncidentIn):
    try:
        incident, created = incident_record(team=request.auth.team, data=payload)
    except UnknownDeployment:
        return Status(
            422,
            _field_error(
                "deployment_external_id",
                _("No deployment with this external_id was reported for your team."),
                "unknown_deployment",
            ),
        )
    except IngestConflict as conflict:
        return Status(
            409,
            {
                "detail": _("A different incident is stored under external_id %(id)s.")
                % {"id": payload.external_id},
                "stored": conflict.stored,
            },
        )
    return Status((201 if created else 200), incident)


@router.patch(
    "/incidents/{external_id}",
    auth=token_auth,
    response={200: IncidentOut, 404: ErrorOut, 409: IncidentConflictOut, **COMMON_ERRORS},
    summary="Resolve an incident",
    description="Sets resolved_at once; the same time again is a 200, another time a 409.",
)
def patch_incident(
    request: HttpRequest,
    # The same rule as external_id on create: every id accepted there is found here.
    external_id: Annotated[ExternalId, Path()],
    payload: IncidentResolve,
):
    try:
        incident = incident_resolve(
            team=request.auth.team, external_id=external_id, resolved_at=payload.resolved_at
        )
    except Incident.DoesNotExist:
        return Status(404, {"detail": _("No incident with this external_id was reported for your team.")})
    except ResolvedBeforeStart:
        return Status(
            422, _field_error("resolved_at", _("must not be before the incident's started_at"), "value_error")
        )
    except IngestConflict as conflict:
        return Status(
            409,
            {
                "detail": _("The incident was already resolved at another time."),
                "stored": conflict.stored,
            },
        )
    return Status(200, incident)


def _hours(duration) -> float | None:
    return round(duration.total_seconds() / 3600, 2) if duration is not None else None


@router.get(
    "/teams/{slug}/metrics",
    auth=[token_auth, django_auth],
    response={200: MetricsOut, 404: ErrorOut, **COMMON_ERRORS},
    summary="A team's delivery keys",
    description=(
        "The DORA 2024 keys over the last `window` days and the team's level. With an API token: "
        "its own team only; signed in: any team you may see. Other teams are 404. The keys "
        "lead_time, change_failure_rate, recovery_time, rework_rate and environments are deprecated "
        "aliases of change_lead_time, change_fail_rate, failed_deployment_recovery_time, "
        "deployment_rework_rate and production, kept for one release."
    ),
)
def team_metrics(
    request: HttpRequest,
    slug: Annotated[str, Path(max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")],
    window: Annotated[int, Query(ge=1, le=365, description="days, 1–365")] = 90,
):
    if isinstance(request.auth, ApiToken):
        team = request.auth.team
        if team.slug != slug:
            return Status(404, {"detail": _("Not found.")})
    else:
        team = team_for_user(request.auth, slug)  # 404 for teams the person may not see
    keys = window_keys(team, window_days=window)
    performance = dora.assess(keys)
    levels = performance.levels if performance else {}
    production = list(rules_for(team).production)
    lead_time = {
        "median_hours": _hours(keys.lead_time),
        "samples": keys.lead_time_samples,
        "without_commit_time": keys.without_lead_time,
        "level": levels.get(dora.Key.CHANGE_LEAD_TIME),
    }
    change_fail = {
        "rate": _rate(keys.change_fail_rate),
        "change_failures": keys.change_failures,
        "failed_deployments": keys.change_failures,
        "level": levels.get(dora.Key.CHANGE_FAIL_RATE),
    }
    recovery = {
        "median_hours": _hours(keys.recovery_time),
        "samples": keys.recovery_samples,
        "unrecovered": keys.unrecovered,
        "level": levels.get(dora.Key.RECOVERY_TIME),
    }
    rework = {"rate": _rate(keys.rework_rate), "rework_deployments": keys.rework_deployments}
    return Status(
        200,
        {
            "team": team.slug,
            "window_days": window,
            "start": keys.period.start,
            "end": keys.period.end,
            "deployment_frequency": {
                "deployments": keys.deployments,
                "per_day": round(keys.deployments_per_day, 3),
                "per_week": round(keys.deployments_per_week, 2),
                "failed_attempts": keys.failed_attempts,
                "level": levels.get(dora.Key.DEPLOYMENT_FREQUENCY),
            },
            "change_lead_time": lead_time,
            "change_fail_rate": change_fail,
            "failed_deployment_recovery_time": recovery,
            "deployment_rework_rate": rework,
            "throughput": {"score": performance.throughput if performance else None},
            "instability": {"rate": _rate(keys.instability)},
            "incidents": keys.incidents,
            "open_incidents": keys.open_incidents,
            "level": performance.level if performance else None,
            "score": performance.score if performance else None,
            "levels_year": dora.LEVELS_YEAR,
            "production": production,
            "thresholds": dora.THRESHOLDS_SOURCE,
            "lead_time": lead_time,
            "change_failure_rate": change_fail,
            "recovery_time": recovery,
            "rework_rate": rework,
            "environments": production,
        },
    )


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None
