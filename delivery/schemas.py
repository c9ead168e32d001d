"""What the ingest API and the CSV import accept and return: one validation for both.

Strings are bounded and free of control characters (PostgreSQL refuses NUL bytes, and no
pipeline needs a tab in a service name); times must be ISO-8601 with a time zone and plausible.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from delivery.models import ENVIRONMENT_LENGTH, EXTERNAL_ID_LENGTH, SERVICE_LENGTH, Deployment, Incident

# Nothing before the Unix epoch is a deployment; a day ahead allows for a skewed clock.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
# What an external_id may be: the same rule on create (API and CSV import) and in the path of
# PATCH /incidents/{external_id}, so that every id accepted once can be used on every later call.
# A slash cannot be carried by one URL path segment, and "." or ".." would be read by HTTP
# clients as "this" and "the parent" segment; control characters break logs and PostgreSQL.
EXTERNAL_ID_RULE = (
    f"at most {EXTERNAL_ID_LENGTH} characters, not blank; surrounding spaces are removed; "
    "no slash (/), no control characters, not . or .."
)


def _clean_text(value: str) -> str:
    value = value.strip()
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc":
            raise ValueError(_("must not contain control characters such as NUL bytes or line breaks"))
        if category == "Cs":
            raise ValueError(_("must be valid Unicode text"))
    if not value:
        raise ValueError(_("must not be blank"))
    return value


def _external_id(value: str) -> str:
    value = _clean_text(value)
    if "/" in value:
        raise ValueError(_("must not contain a slash (/): it could not be used in the URL of later calls"))
    if value in {".", ".."}:
        raise ValueError(_("must not be . or .. (a URL would read it as a path segment)"))
    return value


def _iso_only(value: Any) -> Any:
    # pydantic would read a number as Unix seconds; the contract is an ISO-8601 string.
    if isinstance(value, datetime) or (isinstance(value, str) and "\x00" not in value):
        return value
    raise ValueError(_("must be an ISO-8601 date and time with a time zone, e.g. 2025-03-01T14:30:00Z"))


def _plausible(value: datetime) -> datetime:
    try:
        value = value.astimezone(UTC)
    except OverflowError as error:  # e.g. 0001-01-01T00:00:00+01:00 has no UTC equivalent
        raise ValueError(_("must be a date between 1970 and now")) from error
    if value < EARLIEST:
        raise ValueError(_("must not be before 1970"))
    if value > timezone.now() + FUTURE_SLACK:
        raise ValueError(_("must not be in the future"))
    return value


def _lower(value: str) -> str:
    return value.lower()


Service = Annotated[str, Field(min_length=1, max_length=SERVICE_LENGTH), AfterValidator(_clean_text)]
Environment = Annotated[
    str,
    Field(min_length=1, max_length=ENVIRONMENT_LENGTH),
    AfterValidator(_clean_text),
    AfterValidator(_lower),
]
ExternalId = Annotated[
    str,
    Field(min_length=1, max_length=EXTERNAL_ID_LENGTH, description=EXTERNAL_ID_RULE),
    AfterValidator(_external_id),
]
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_only),
    Field(description="ISO-8601 date and time with a time zone, e.g. 2025-03-01T14:30:00Z"),
    AfterValidator(_plausible),
]
Status = Literal["success", "failure"]
Severity = Literal["critical", "high", "medium", "low"]

# Keep the API's choices and the models' in step.
assert set(Status.__args__) == set(Deployment.Status.values)  # type: ignore[attr-defined]
assert set(Severity.__args__) == set(Incident.Severity.values)  # type: ignore[attr-defined]


class Strict(Schema):
    # Unknown fields are refused: a typo such as "is_rewrok" must not pass silently.
    model_config = ConfigDict(extra="forbid")


class DeploymentIn(Strict):
    service: Service
    environment: Environment = Field(description="e.g. production; stored in lower case")
    deployed_at: Moment
    first_commit_at: Moment = Field(description="the oldest commit in the deployment; not after deployed_at")
    status: Status
    external_id: ExternalId = Field(description="the pipeline's id for this deployment; unique per team")
    is_rework: bool = Field(False, description="an unplanned deployment to fix a problem in production")

    @field_validator("first_commit_at")
    @classmethod
    def _commit_before_deploy(cls, value: datetime, info: ValidationInfo) -> datetime:
        deployed_at = info.data.get("deployed_at")
        if deployed_at is not None and value > deployed_at:
            raise ValueError(_("must not be after deployed_at"))
        return value


class IncidentIn(Strict):
    service: Service
    started_at: Moment
    severity: Severity
    deployment_external_id: ExternalId | None = Field(
        None, description="external_id of the deployment that caused it, if known"
    )
    resolved_at: Moment | None = None
    external_id: ExternalId = Field(
        description="the reporting system's id for this incident; unique per team"
    )

    @field_validator("resolved_at")
    @classmethod
    def _resolved_after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        started_at = info.data.get("started_at")
        if value is not None and started_at is not None and value < started_at:
            raise ValueError(_("must not be before started_at"))
        return value


class IncidentResolve(Strict):
    resolved_at: Moment


class DeploymentOut(Schema):
    external_id: str
    service: str
    environment: str
    deployed_at: datetime
    first_commit_at: datetime
    status: Status
    is_rework: bool


class IncidentOut(Schema):
    external_id: str
    service: str
    severity: Severity
    started_at: datetime
    resolved_at: datetime | None
    deployment_external_id: str | None

    @staticmethod
    def resolve_deployment_external_id(incident: Incident) -> str | None:
        return incident.caused_by.external_id if incident.caused_by_id else None


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


class DeploymentConflictOut(Schema):
    detail: str
    stored: DeploymentOut


class IncidentConflictOut(Schema):
    detail: str
    stored: IncidentOut


Level = Literal["elite", "high", "medium", "low"]


class LevelOut(Schema):
    level: Level | None = Field(description="DORA 2024 cluster this key meets on its own")


class FrequencyOut(LevelOut):
    deployments: int = Field(description="production deployments in the window")
    per_day: float
    per_week: float
    failed_attempts: int = Field(0, description="pipeline runs that never reached production; not counted")


class LeadTimeOut(LevelOut):
    median_hours: float | None
    samples: int = Field(description="production deployments with a commit time")
    without_commit_time: int = Field(0, description="production deployments whose commit time is unknown")


class ChangeFailOut(LevelOut):
    rate: float | None = Field(description="0–1; null without deployments")
    change_failures: int = Field(description="production deployments that needed remediation")
    failed_deployments: int = Field(description="deprecated: the same as change_failures")


class RecoveryOut(LevelOut):
    median_hours: float | None
    samples: int = Field(description="failed changes that have recovered")
    unrecovered: int


class ReworkOut(Schema):
    rate: float | None
    rework_deployments: int


class ThroughputOut(Schema):
    score: float | None = Field(description="0–100 from the levels of frequency, lead time and recovery time")


class InstabilityOut(Schema):
    rate: float | None = Field(description="0–1: the mean of change fail rate and rework rate")


DEPRECATED = "Deprecated alias kept for one release; use {new}."


class MetricsOut(Schema):
    team: str
    window_days: int
    start: datetime
    end: datetime
    deployment_frequency: FrequencyOut
    change_lead_time: LeadTimeOut
    change_fail_rate: ChangeFailOut
    failed_deployment_recovery_time: RecoveryOut
    deployment_rework_rate: ReworkOut
    throughput: ThroughputOut
    instability: InstabilityOut
    incidents: int
    open_incidents: int
    level: Level | None = Field(description="null without production deployments")
    score: float | None = Field(description="0–100: the mean of the keys' levels")
    levels_year: int = Field(description="the year of the DORA report whose clusters give the levels")
    production: list[str] = Field(description="environment patterns counted as production for this team")
    thresholds: str
    # The names before DORA 2024's (and before rules replaced GEMBA_DELIVERY_ENVIRONMENTS).
    lead_time: LeadTimeOut = Field(deprecated=DEPRECATED.format(new="change_lead_time"))
    change_failure_rate: ChangeFailOut = Field(deprecated=DEPRECATED.format(new="change_fail_rate"))
    recovery_time: RecoveryOut = Field(deprecated=DEPRECATED.format(new="failed_deployment_recovery_time"))
    rework_rate: ReworkOut = Field(deprecated=DEPRECATED.format(new="deployment_rework_rate"))
    environments: list[str] = Field(deprecated=DEPRECATED.format(new="production"))
