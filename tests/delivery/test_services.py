"""Ingest services: the lost race to the unique constraint ends in a re-read, not an error."""

from datetime import UTC, datetime

import pytest

from delivery.models import ApiToken, Deployment, DeploymentQuerySet, Incident, IncidentQuerySet
from delivery.schemas import DeploymentIn, IncidentIn
from delivery.services import (
    IngestConflict,
    api_token_create,
    api_token_revoke,
    deployment_record,
    incident_record,
)
from tests.delivery.factories import DeploymentFactory, IncidentFactory

DEPLOYED = datetime(2025, 3, 1, 14, 30, tzinfo=UTC)


def deployment_in(**changes):
    data = {
        "service": "web",
        "environment": "production",
        "deployed_at": "2025-03-01T14:30:00Z",
        "first_commit_at": "2025-03-01T09:00:00Z",
        "status": "success",
        "external_id": "d-1",
    } | changes
    return DeploymentIn.model_validate(data)


@pytest.fixture
def lose_the_race(monkeypatch):
    """The first look for the external id misses a record a parallel request has just stored."""

    def patch(queryset_class):
        original = queryset_class.first
        missed = []

        def first(self):
            if not missed:
                missed.append(True)
                return None
            return original(self)

        monkeypatch.setattr(queryset_class, "first", first)

    return patch


def test_lost_race_with_the_same_deployment_returns_the_stored_one(team, lose_the_race):
    stored = DeploymentFactory(
        team=team,
        external_id="d-1",
        deployed_at=DEPLOYED,
        first_commit_at=datetime(2025, 3, 1, 9, tzinfo=UTC),
    )
    lose_the_race(DeploymentQuerySet)
    deployment, created = deployment_record(team=team, data=deployment_in())
    assert (deployment.pk, created) == (stored.pk, False)
    assert Deployment.objects.count() == 1


def test_lost_race_with_a_different_deployment_is_a_conflict(team, lose_the_race):
    DeploymentFactory(team=team, external_id="d-1", status="failure")
    lose_the_race(DeploymentQuerySet)
    with pytest.raises(IngestConflict):
        deployment_record(team=team, data=deployment_in())
    assert Deployment.objects.count() == 1


def test_lost_race_with_the_same_incident_returns_the_stored_one(team, lose_the_race):
    started = datetime(2025, 3, 2, 9, 20, tzinfo=UTC)
    stored = IncidentFactory(
        team=team, external_id="i-1", started_at=started, resolved_at=None, severity="high"
    )
    lose_the_race(IncidentQuerySet)
    data = IncidentIn.model_validate(
        {"service": "web", "started_at": "2025-03-02T09:20:00Z", "severity": "high", "external_id": "i-1"}
    )
    incident, created = incident_record(team=team, data=data)
    assert (incident.pk, created) == (stored.pk, False)
    assert Incident.objects.count() == 1


def test_token_is_stored_as_a_hash_and_revoked_once(team, lead):
    token, raw = api_token_create(team=team, name="CI", by=lead)
    assert raw.startswith("gemba_") and raw not in (token.token_hash, token.shown_part)
    assert ApiToken.objects.authenticate(raw) == token
    api_token_revoke(token=token)
    revoked_at = token.revoked_at
    api_token_revoke(token=token)
    assert token.revoked_at == revoked_at
    assert ApiToken.objects.authenticate(raw) is None
