"""A small but complete portal for the security tests: every kind of object the URLs point at,
once for the personas' team ("checkout", the own team) and once for another team ("ledger")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Round, Schedule
from assessments.services import round_close
from delivery import tokens
from delivery.services import webhook_create
from improvements import services as improvements
from improvements.models import Action, Experiment
from teams.models import Team
from tests.delivery.factories import ApiTokenFactory, DeploymentFactory, IncidentFactory
from tests.factories import make_model, make_round


@dataclass
class Side:
    """The objects of one team, as the URLs name them."""

    team: Team
    open_round: object
    scored_round: object
    action: Action
    experiment: Experiment
    token: object
    raw_token: str
    incident: object
    schedule: object = None
    webhook: object = None


@dataclass
class World:
    own: Side
    other: Side
    model: object
    users: dict[str, object] = field(default_factory=dict)


def _side(team: Team, *, model, worker, name: str) -> Side:
    now = timezone.now()
    open_round = make_round(model=model, teams=[team], name=f"Open {name}")
    scored_round = make_round(model=model, teams=[team], state="past", name=f"Closed {name}")
    scored_round = round_close(round=scored_round, now=now)
    # Past its close a minute ago and not scored yet (the worker's next tick will): no page may
    # close it, and /healthz still says the queue keeps up.
    due = make_round(model=model, teams=[team], state="past", name=f"Due {name}")
    Round.objects.filter(pk=due.pk).update(closes_at=now - timedelta(minutes=1))
    action = improvements.action_create(team=team, title=f"Action of {name}", by=worker, owner=worker)
    experiment = Experiment.objects.create(
        action=action, date=timezone.localdate(), step=f"Step of {name}", expected="Fewer handoffs"
    )
    raw = tokens.generate()
    token = ApiTokenFactory(team=team, raw=raw, name=f"CI {name}")
    DeploymentFactory(team=team, external_id=f"deploy-{name}")
    incident = IncidentFactory(
        team=team, external_id=f"incident-{name}", started_at=now - timedelta(hours=3), resolved_at=None
    )
    schedule = Schedule.objects.create(
        name=f"Quarterly {name}", model=model, starts_on=timezone.localdate() + timedelta(days=30)
    )
    schedule.teams.set([team])
    webhook, _secret = webhook_create(team=team, provider="github", name=f"Hook {name}")
    return Side(
        webhook=webhook,
        schedule=schedule,
        team=team,
        open_round=open_round,
        scored_round=scored_round,
        action=action,
        experiment=experiment,
        token=token,
        raw_token=raw,
        incident=incident,
    )


@pytest.fixture
def small_model(db):
    """5-point scale, 2 dimensions × 2 questions (dim-1, dim-2), the last of each reverse-scored."""
    return make_model(points=5)


@pytest.fixture
def world(team, other_team, member, lead, manager, outsider, staff) -> World:
    model = make_model(points=5, name="Security")
    return World(
        own=_side(team, model=model, worker=member, name="checkout"),
        other=_side(other_team, model=model, worker=outsider, name="ledger"),
        model=model,
        users={
            "anonymous": None,
            "pipeline": None,
            "outsider": outsider,
            "member": member,
            "lead": lead,
            "manager": manager,
            "staff": staff,
        },
    )


def fingerprint() -> tuple:
    """What any write of these pages would change: counts, stages, edits, closes, revocations."""
    from django_tasks_db.models import DBTaskResult

    from assessments.models import (
        Participation,
        ReminderBatch,
        Response,
        Round,
        Schedule,
        TargetLevel,
        TeamScore,
    )
    from audit.models import AuditEvent
    from delivery.models import ApiToken, DeliveryRules, Deployment, Incident, Webhook, WebhookDelivery
    from improvements.models import Action, Experiment, StageChange, WipLimit

    return (
        Response.objects.count(),
        Participation.objects.count(),
        list(Round.objects.order_by("pk").values_list("pk", "closed_at", "scored_at")),
        TargetLevel.objects.count(),
        list(Action.objects.order_by("pk").values_list("pk", "title", "stage", "owner_id")),
        list(Experiment.objects.order_by("pk").values_list("pk", "step", "expected", "happened")),
        StageChange.objects.count(),
        list(WipLimit.objects.order_by("pk").values_list("team_id", "stage", "limit")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        Deployment.objects.count(),
        list(Webhook.objects.order_by("pk").values_list("pk", "revoked_at", "secret_sealed", "secret_hash")),
        WebhookDelivery.objects.count(),
        list(DeliveryRules.objects.order_by("pk").values_list("pk", "production", "updated_at")),
        list(Incident.objects.order_by("pk").values_list("pk", "resolved_at")),
        AuditEvent.objects.count(),
        TeamScore.objects.count(),
        DBTaskResult.objects.count(),
        list(Schedule.objects.order_by("pk").values_list("pk", "paused", "ends_on")),
        ReminderBatch.objects.count(),
    )
