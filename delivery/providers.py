"""What each provider's webhook sends, read into plain events; how each proves who sent it.

Pure: no database. ``verify`` checks a call's signature or token in constant time; ``parse``
turns a verified body into deployment, incident and commit events (or says why there is
nothing to store). The payloads follow the providers' documentation:

- GitHub: ``deployment_status`` (and ``deployment``), ``workflow_run``, ``push``, ``ping``;
  ``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body>``; ``X-GitHub-Delivery`` names the call.
- GitLab: deployment and pipeline events; ``X-Gitlab-Token`` carries the secret as it is;
  ``X-Gitlab-Event-UUID`` (or ``Idempotency-Key``) names the call.
- PagerDuty v3 webhooks: ``incident.triggered``, ``.acknowledged``, ``.resolved`` (and more, which
  are ignored); ``X-PagerDuty-Signature: v1=<HMAC-SHA256 of the body>[,v1=…]``.
- Opsgenie outgoing webhooks (alert actions Create, Acknowledge, Close); they cannot sign, so the
  integration sends our token in a custom header ``X-Gemba-Token``.
- Generic signed JSON (Argo CD notifications, Jenkins, a script): ``X-Gemba-Timestamp: <Unix
  seconds>`` and ``X-Gemba-Signature: sha256=<HMAC-SHA256 of "<timestamp>.<body>">``; a timestamp
  more than five minutes away is a replay and is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

REPLAY_TOLERANCE = timedelta(minutes=5)
SIGNED = {"github", "pagerduty", "generic"}  # the secret is a signing key: sealed, not hashed


class Unauthorized(Exception):
    """No valid signature or token: answered 401, nothing read."""


class BadPayload(Exception):
    """Signed, but not what the provider sends: answered 400 with the reason."""


@dataclass(frozen=True, slots=True)
class DeploymentEvent:
    external_id: str
    service: str
    environment: str
    deployed_at: datetime
    succeeded: bool  # False: the run failed before reaching the environment
    environment_tier: str = ""
    first_commit_at: datetime | None = None
    commit_sha: str = ""
    ref: str = ""
    title: str = ""
    labels: tuple[str, ...] = ()
    origin: str = ""
    reported_rework: bool = False


@dataclass(frozen=True, slots=True)
class IncidentEvent:
    external_id: str
    service: str
    started_at: datetime
    severity: str  # critical, high, medium, low
    title: str = ""
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    deployment_ref: str = ""
    text: str = ""  # where commit SHAs may be written (title, description, details)
    origin: str = ""


@dataclass(frozen=True, slots=True)
class CommitEvent:
    """A commit's time, so a later (or earlier) deployment of it gets its lead time."""

    sha: str
    committed_at: datetime


Event = DeploymentEvent | IncidentEvent | CommitEvent


@dataclass(frozen=True)
class Parsed:
    """What one call carried: its name and delivery id, the events, and why none if none."""

    event: str
    delivery_id: str
    events: list[Event] = field(default_factory=list)
    note: str = ""


# --- proving the sender


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str:
    return headers.get(name) or headers.get(name.lower()) or ""


def verify(
    provider: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    secret: str = "",
    secret_hash: str = "",
    now: datetime | None = None,
) -> None:
    """Raise Unauthorized unless the call carries this webhook's signature or token.

    ``secret`` is the signing key (GitHub, PagerDuty, generic); ``secret_hash`` the stored hash of
    a token the provider sends as it is (GitLab, Opsgenie). Comparisons take constant time.
    """
    if provider == "github":
        signature = _header(headers, "X-Hub-Signature-256")
        expected = "sha256=" + _hmac_hex(secret, body)
        if not (secret and signature and hmac.compare_digest(signature.strip(), expected)):
            raise Unauthorized(_("The X-Hub-Signature-256 header is missing or does not match the secret."))
    elif provider == "pagerduty":
        expected = "v1=" + _hmac_hex(secret, body)
        given = [part.strip() for part in _header(headers, "X-PagerDuty-Signature").split(",")]
        # Compare every signature offered (PagerDuty sends two while a secret is being rotated).
        matches = [hmac.compare_digest(part, expected) for part in given if part]
        if not (secret and any(matches)):
            raise Unauthorized(_("The X-PagerDuty-Signature header is missing or does not match the secret."))
    elif provider == "generic":
        stamp = _header(headers, "X-Gemba-Timestamp").strip()
        signature = _header(headers, "X-Gemba-Signature").strip()
        expected = "sha256=" + _hmac_hex(secret, stamp.encode() + b"." + body)
        if not (secret and stamp and signature and hmac.compare_digest(signature, expected)):
            raise Unauthorized(_("The X-Gemba-Signature header is missing or does not match the secret."))
        try:
            sent = datetime.fromtimestamp(int(stamp), UTC)
        except (ValueError, OverflowError, OSError) as error:
            raise Unauthorized(_("X-Gemba-Timestamp must be Unix seconds.")) from error
        if abs((now or datetime.now(UTC)) - sent) > REPLAY_TOLERANCE:
            raise Unauthorized(_("X-Gemba-Timestamp is more than five minutes away: a replay is refused."))
    elif provider in {"gitlab", "opsgenie"}:
        name = "X-Gitlab-Token" if provider == "gitlab" else "X-Gemba-Token"
        token = _header(headers, name).strip()
        if provider == "opsgenie" and not token:
            token = _header(headers, "Authorization").removeprefix("Bearer ").strip()
        if not (secret_hash and token and hmac.compare_digest(hash_secret(token), secret_hash)):
            raise Unauthorized(_("The %(header)s header is missing or wrong.") % {"header": name})
    else:
        raise Unauthorized(_("Unknown provider."))


# --- reading bodies


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadPayload(_("The body is not JSON in UTF-8.")) from error
    if not isinstance(data, dict):
        raise BadPayload(_("The body must be a JSON object."))
    return data


def _get(data: Any, *path: str) -> Any:
    for name in path:
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


def _text(value: Any, limit: int = 300) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return "".join(ch for ch in str(value) if ch.isprintable()).strip()[:limit]


_GITLAB_TIME = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?: ?(UTC|[+-]\d{4}))?$")


def moment(value: Any, what: str, *, required: bool = True) -> datetime | None:
    """An aware datetime from ISO 8601, GitLab's "2021-04-28 21:50:00 +0200" or a Unix time in
    seconds, milliseconds, microseconds or nanoseconds."""
    if value in (None, ""):
        if required:
            raise BadPayload(_("%(field)s is missing.") % {"field": what})
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            # Opsgenie sends createdAt in milliseconds and updatedAt in nanoseconds.
            scale = next(
                s for limit, s in ((1e17, 1e9), (1e14, 1e6), (1e11, 1e3), (0, 1)) if abs(value) >= limit
            )
            return datetime.fromtimestamp(value / scale, UTC)
        text = str(value).strip()
        gitlab = _GITLAB_TIME.match(text)
        if gitlab:
            day, clock, zone = gitlab.groups()
            text = f"{day}T{clock}" + ("+00:00" if zone in (None, "UTC") else f"{zone[:3]}:{zone[3:]}")
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError) as error:
        raise BadPayload(_("%(field)s is not a date and time.") % {"field": what}) from error
    if parsed.tzinfo is None:
        raise BadPayload(_("%(field)s has no time zone.") % {"field": what})
    return parsed.astimezone(UTC)


def parse(provider: str, headers: Mapping[str, str], body: bytes) -> Parsed:
    """The events in a verified call. Raises BadPayload for a body the provider would not send."""
    data = _json(body)
    return {
        "github": _github,
        "gitlab": _gitlab,
        "pagerduty": _pagerduty,
        "opsgenie": _opsgenie,
        "generic": _generic,
    }[provider](headers, data, body)


def _id(value: Any) -> str:
    """A provider's id as part of ours: printable, at most 80 characters (ours stay under 200)."""
    text = _text(value, 80)
    if not text:
        raise BadPayload(_("An id the provider always sends is missing or empty."))
    return text


def _body_id(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


# GitHub


GITHUB_SUCCESS = {"success"}


def _repo_id(data: dict, repository: str) -> str:
    return _text(_get(data, "repository", "id"), 40) or _id(repository)


GITHUB_FAILED = {"failure", "error"}


def _github(headers: Mapping[str, str], data: dict, body: bytes) -> Parsed:
    event = _header(headers, "X-GitHub-Event") or "unknown"
    delivery = _text(_header(headers, "X-GitHub-Delivery"), 200) or _body_id(body)
    repository = _text(_get(data, "repository", "full_name"), 200)
    if event == "ping":
        return Parsed(event, delivery, note=_("ping: the webhook is connected"))
    if event == "push":
        commits = [
            CommitEvent(
                sha=_text(commit.get("id"), 64).lower(),
                committed_at=moment(commit.get("timestamp"), "commit timestamp"),
            )
            for commit in data.get("commits") or []
            if isinstance(commit, dict) and commit.get("id")
        ]
        return Parsed(event, delivery, commits, "" if commits else _("push without commits"))  # type: ignore[arg-type]
    if event in {"deployment_status", "deployment"}:
        deployment = data.get("deployment")
        if not isinstance(deployment, dict) or deployment.get("id") is None:
            raise BadPayload(_("deployment is missing."))
        payload = deployment.get("payload") if isinstance(deployment.get("payload"), dict) else {}
        commit = _text(deployment.get("sha"), 64).lower()
        first_commit = moment(
            payload.get("first_commit_at"), "deployment.payload.first_commit_at", required=False
        )
        events: list[Event] = [CommitEvent(commit, first_commit)] if commit and first_commit else []
        if event == "deployment":
            return Parsed(
                event,
                delivery,
                events,
                _("deployment created; it counts when its status says success or failure"),
            )
        status = data.get("deployment_status") or {}
        state = _text(status.get("state"), 20).lower()
        if state not in GITHUB_SUCCESS | GITHUB_FAILED:
            return Parsed(
                event, delivery, events, _("status “%(state)s” is not final yet") % {"state": state}
            )
        environment = _text(status.get("environment") or deployment.get("environment"), 50).lower()
        if not environment:
            raise BadPayload(_("deployment.environment is missing."))
        path = _text(payload.get("path"), 200)
        labels = payload.get("labels") if isinstance(payload.get("labels"), list) else []
        events.append(
            DeploymentEvent(
                external_id=f"github:{_repo_id(data, repository)}:deployment:{_id(deployment['id'])}",
                service=_text(payload.get("service"), 100)
                or _text(_get(data, "repository", "name"), 100)
                or repository,
                environment=environment,
                deployed_at=moment(
                    status.get("updated_at") or status.get("created_at"), "deployment_status.created_at"
                ),  # type: ignore[arg-type]
                succeeded=state in GITHUB_SUCCESS,
                first_commit_at=first_commit,
                commit_sha=commit,
                ref=_text(deployment.get("ref"), 200),
                title=_text(deployment.get("description") or status.get("description"), 300),
                labels=tuple(_text(label, 50) for label in labels if _text(label, 50)),
                origin=(f"{repository}:{path}" if path else repository)[:300],
                reported_rework=payload.get("rework") is True,
            )
        )
        return Parsed(event, delivery, events)
    if event == "workflow_run":
        run = data.get("workflow_run")
        if not isinstance(run, dict) or run.get("id") is None:
            raise BadPayload(_("workflow_run is missing."))
        head = run.get("head_commit") if isinstance(run.get("head_commit"), dict) else {}
        sha = _text(run.get("head_sha") or head.get("id"), 64).lower()
        committed = moment(head.get("timestamp"), "workflow_run.head_commit.timestamp", required=False)
        events = [CommitEvent(sha, committed)] if sha and committed else []
        if data.get("action") != "completed" or run.get("conclusion") not in {
            "success",
            "failure",
            "timed_out",
        }:
            return Parsed(event, delivery, events, _("the run is not completed with success or failure"))
        # Whether the run deployed is for the team's rules to say (ingest asks them).
        attempt = f"{_id(run['id'])}:{_id(run.get('run_attempt') or 1)}"
        events.append(
            DeploymentEvent(
                external_id=f"github:{_repo_id(data, repository)}:run:{attempt}",
                service=_text(_get(data, "repository", "name"), 100) or repository,
                environment="",  # the rules' first production pattern
                deployed_at=moment(run.get("updated_at"), "workflow_run.updated_at"),  # type: ignore[arg-type]
                succeeded=run.get("conclusion") == "success",
                first_commit_at=committed,
                commit_sha=sha,
                ref=_text(run.get("head_branch"), 200),
                title=_text(run.get("display_title") or head.get("message"), 300),
                origin=(f"{repository}:{_text(run.get('path'), 200)}" if run.get("path") else repository)[
                    :300
                ],
                labels=(f"workflow:{_text(run.get('name'), 100)}",),
            )
        )
        return Parsed(event, delivery, events)
    return Parsed(event, delivery, note=_("event “%(event)s” is not read by Gemba") % {"event": event})


# GitLab


def _gitlab(headers: Mapping[str, str], data: dict, body: bytes) -> Parsed:
    kind = _text(data.get("object_kind"), 40)
    delivery = (
        _text(_header(headers, "X-Gitlab-Event-UUID"), 200)
        or _text(_header(headers, "Idempotency-Key"), 200)
        or _body_id(body)
    )
    project = _text(_get(data, "project", "path_with_namespace"), 200)
    if kind == "deployment":
        status = _text(data.get("status"), 20).lower()
        if data.get("deployment_id") is None:
            raise BadPayload(_("deployment_id is missing."))
        if status not in {"success", "failed"}:
            return Parsed(kind, delivery, note=_("status “%(state)s” is not final yet") % {"state": status})
        environment = _text(data.get("environment"), 50).lower()
        if not environment:
            raise BadPayload(_("environment is missing."))
        project_id = _id(_get(data, "project", "id") or project)
        deployment = DeploymentEvent(
            external_id=f"gitlab:{project_id}:deployment:{_id(data['deployment_id'])}",
            service=_text(_get(data, "project", "name"), 100) or project,
            environment=environment,
            environment_tier=_text(data.get("environment_tier"), 20),
            deployed_at=moment(data.get("status_changed_at"), "status_changed_at"),  # type: ignore[arg-type]
            succeeded=status == "success",
            commit_sha=_text(data.get("short_sha"), 64).lower(),
            ref=_text(data.get("ref"), 200),
            title=_text(data.get("commit_title"), 300),
            origin=project,
        )
        return Parsed(kind, delivery, [deployment])
    if kind == "pipeline":
        commit = data.get("commit") if isinstance(data.get("commit"), dict) else {}
        sha = _text(commit.get("id") or _get(data, "object_attributes", "sha"), 64).lower()
        committed = moment(commit.get("timestamp"), "commit.timestamp", required=False)
        if not (sha and committed):
            return Parsed(kind, delivery, note=_("pipeline without a commit time"))
        return Parsed(kind, delivery, [CommitEvent(sha, committed)])
    return Parsed(
        kind or "unknown", delivery, note=_("event “%(event)s” is not read by Gemba") % {"event": kind}
    )


# PagerDuty


PAGERDUTY_PRIORITY = {"P1": "critical", "P2": "high", "P3": "medium", "P4": "low", "P5": "low"}


def _pagerduty(headers: Mapping[str, str], data: dict, body: bytes) -> Parsed:
    event = data.get("event")
    if not isinstance(event, dict):
        raise BadPayload(_("event is missing (PagerDuty v3 webhooks send one)."))
    kind = _text(event.get("event_type"), 60)
    delivery = _text(event.get("id"), 200) or _body_id(body)
    incident = event.get("data")
    if not kind.startswith("incident.") or not isinstance(incident, dict):
        return Parsed(
            kind or "unknown", delivery, note=_("event “%(event)s” is not read by Gemba") % {"event": kind}
        )
    if incident.get("id") is None:
        raise BadPayload(_("event.data.id is missing."))
    occurred = moment(event.get("occurred_at"), "event.occurred_at")
    priority = _text(_get(incident, "priority", "summary"), 10).upper()
    severity = PAGERDUTY_PRIORITY.get(priority) or ("high" if incident.get("urgency") == "high" else "low")
    status = _text(incident.get("status"), 20)
    service = _text(_get(incident, "service", "summary"), 100) or _("unknown service")
    body_text = _text(_get(incident, "body", "details"), 2000)
    parsed = IncidentEvent(
        external_id=f"pagerduty:{_id(incident['id'])}",
        service=service,
        started_at=moment(incident.get("created_at"), "event.data.created_at", required=False) or occurred,  # type: ignore[arg-type]
        severity=severity,
        title=_text(incident.get("title"), 300),
        acknowledged_at=occurred if kind == "incident.acknowledged" else None,
        resolved_at=occurred if kind == "incident.resolved" or status == "resolved" else None,
        deployment_ref=_text(_get(incident, "custom_fields", "deployment"), 200),
        text=" ".join([_text(incident.get("title"), 300), body_text]),
        origin=service,
    )
    if kind not in {"incident.triggered", "incident.acknowledged", "incident.resolved", "incident.reopened"}:
        return Parsed(
            kind, delivery, note=_("event “%(event)s” changes nothing Gemba counts") % {"event": kind}
        )
    return Parsed(kind, delivery, [parsed])


# Opsgenie


OPSGENIE_PRIORITY = {"P1": "critical", "P2": "high", "P3": "medium", "P4": "low", "P5": "low"}


def _opsgenie(headers: Mapping[str, str], data: dict, body: bytes) -> Parsed:
    action = _text(data.get("action"), 40)
    alert = data.get("alert")
    if not isinstance(alert, dict) or not alert.get("alertId"):
        raise BadPayload(_("alert.alertId is missing."))
    updated = alert.get("updatedAt") or alert.get("createdAt")
    delivery = f"{_id(alert['alertId'])}:{action}:{_id(updated)}" if updated else _body_id(body)
    if action not in {"Create", "Acknowledge", "Close"}:
        return Parsed(
            action or "unknown",
            delivery,
            note=_("action “%(event)s” changes nothing Gemba counts") % {"event": action},
        )
    started = moment(alert.get("createdAt"), "alert.createdAt")
    at = moment(updated, "alert.updatedAt")
    details = alert.get("details") if isinstance(alert.get("details"), dict) else {}
    tags = alert.get("tags") if isinstance(alert.get("tags"), list) else []
    service = (
        _text(details.get("service"), 100)
        or _text(alert.get("entity"), 100)
        or next((t[len("service:") :] for t in map(str, tags) if t.startswith("service:")), "")
        or _text(alert.get("source"), 100)
        or _("unknown service")
    )
    parsed = IncidentEvent(
        external_id=f"opsgenie:{_id(alert['alertId'])}",
        service=service,
        started_at=started,  # type: ignore[arg-type]
        severity=OPSGENIE_PRIORITY.get(_text(alert.get("priority"), 4).upper(), "medium"),
        title=_text(alert.get("message"), 300),
        acknowledged_at=at if action == "Acknowledge" else None,
        resolved_at=at if action == "Close" else None,
        deployment_ref=_text(details.get("deployment"), 200),
        text=" ".join(
            [
                _text(alert.get("message"), 300),
                _text(alert.get("description"), 2000),
                *map(_text, details.values()),
            ]
        ),
        origin=service,
    )
    return Parsed(action, delivery, [parsed])


# Generic


def _generic(headers: Mapping[str, str], data: dict, body: bytes) -> Parsed:
    kind = _text(data.get("kind"), 20)
    delivery = (
        _text(_header(headers, "X-Gemba-Delivery"), 200)
        or _text(data.get("delivery_id"), 200)
        or _body_id(body)
    )
    external_id = _text(data.get("external_id"), 200)
    if kind not in {"deployment", "incident"}:
        raise BadPayload(_("kind must be “deployment” or “incident”."))
    if not external_id:
        raise BadPayload(_("external_id is missing."))
    service = _text(data.get("service"), 100)
    if not service:
        raise BadPayload(_("service is missing."))
    if kind == "deployment":
        status = _text(data.get("status"), 20).lower()
        if status not in {"success", "failure"}:
            raise BadPayload(_("status must be “success” or “failure”."))
        environment = _text(data.get("environment"), 50).lower()
        if not environment:
            raise BadPayload(_("environment is missing."))
        labels = data.get("labels") if isinstance(data.get("labels"), list) else []
        deployed_at = moment(data.get("deployed_at"), "deployed_at")
        first_commit = moment(data.get("first_commit_at"), "first_commit_at", required=False)
        if first_commit and deployed_at and first_commit > deployed_at:
            raise BadPayload(_("first_commit_at must not be after deployed_at."))
        return Parsed(
            kind,
            delivery,
            [
                DeploymentEvent(
                    external_id=external_id,
                    service=service,
                    environment=environment,
                    deployed_at=deployed_at,  # type: ignore[arg-type]
                    succeeded=status == "success",
                    first_commit_at=first_commit,
                    commit_sha=_text(data.get("commit_sha"), 64).lower(),
                    ref=_text(data.get("ref"), 200),
                    title=_text(data.get("title"), 300),
                    labels=tuple(_text(label, 50) for label in labels if _text(label, 50)),
                    origin=_text(data.get("origin"), 300) or service,
                    reported_rework=data.get("is_rework") is True,
                )
            ],
        )
    severity = _text(data.get("severity"), 10).lower() or "medium"
    if severity not in {"critical", "high", "medium", "low"}:
        raise BadPayload(_("severity must be critical, high, medium or low."))
    started = moment(data.get("started_at"), "started_at")
    resolved = moment(data.get("resolved_at"), "resolved_at", required=False)
    if resolved and started and resolved < started:
        raise BadPayload(_("resolved_at must not be before started_at."))
    return Parsed(
        kind,
        delivery,
        [
            IncidentEvent(
                external_id=external_id,
                service=service,
                started_at=started,  # type: ignore[arg-type]
                severity=severity,
                title=_text(data.get("title"), 300),
                resolved_at=resolved,
                deployment_ref=_text(data.get("deployment_external_id"), 200),
                text=" ".join([_text(data.get("title"), 300), _text(data.get("commit_sha"), 64)]),
                origin=_text(data.get("origin"), 300) or service,
            )
        ],
    )
