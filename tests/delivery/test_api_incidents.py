"""POST /api/v1/incidents and PATCH /api/v1/incidents/<external_id>."""

import pytest
from django.utils.dateparse import parse_datetime

from delivery.models import Incident
from tests.delivery.factories import DeploymentFactory, IncidentFactory

URL = "/api/v1/incidents"


def payload(**changes):
    data = {
        "service": "checkout-api",
        "started_at": "2025-03-02T09:20:00Z",
        "severity": "high",
        "external_id": "inc-77",
    }
    data.update(changes)
    return data


def test_missing_token_is_401(client, team):
    assert client.post(URL, payload(), content_type="application/json").status_code == 401
    assert client.patch(f"{URL}/inc-77", {}, content_type="application/json").status_code == 401


def test_report_an_open_incident_caused_by_a_deployment(api, team):
    DeploymentFactory(team=team, external_id="gh-run-1041")
    response = api.post(URL, payload(deployment_external_id="gh-run-1041"))
    assert response.status_code == 201
    assert response.json()["deployment_external_id"] == "gh-run-1041"
    assert response.json()["resolved_at"] is None
    incident = Incident.objects.get()
    assert incident.caused_by.external_id == "gh-run-1041"
    assert incident.is_open


def test_same_incident_again_is_200_and_no_duplicate(api):
    first = api.post(URL, payload(resolved_at="2025-03-02T11:00:00Z"))
    again = api.post(URL, payload(resolved_at="2025-03-02T12:00:00+01:00"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Incident.objects.count() == 1


def test_repeating_the_opening_report_after_the_resolution_is_still_200(api):
    api.post(URL, payload())
    api.patch(f"{URL}/inc-77", {"resolved_at": "2025-03-02T11:00:00Z"})
    response = api.post(URL, payload())
    assert response.status_code == 200
    assert response.json()["resolved_at"] == "2025-03-02T11:00:00Z"


@pytest.mark.parametrize(
    "changes",
    [
        {"severity": "low"},
        {"service": "other"},
        {"started_at": "2025-03-02T09:21:00Z"},
        {"resolved_at": "2025-03-03T00:00:00Z"},
    ],
)
def test_different_incident_under_a_known_external_id_is_409(api, changes):
    api.post(URL, payload(resolved_at="2025-03-02T11:00:00Z"))
    response = api.post(URL, payload(**({"resolved_at": "2025-03-02T11:00:00Z"} | changes)))
    assert response.status_code == 409
    assert response.json()["stored"]["external_id"] == "inc-77"


def test_another_causing_deployment_is_a_conflict(api, team):
    DeploymentFactory(team=team, external_id="a")
    DeploymentFactory(team=team, external_id="b")
    api.post(URL, payload(deployment_external_id="a"))
    assert api.post(URL, payload(deployment_external_id="b")).status_code == 409


def test_unknown_causing_deployment_is_422_on_that_field(api, other_team):
    DeploymentFactory(team=other_team, external_id="theirs")  # another team's deployment is unknown too
    response = api.post(URL, payload(deployment_external_id="theirs"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "deployment_external_id"
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"severity": "sev1"}, "severity"),
        ({"started_at": "2025-03-02 09:20"}, "started_at"),
        ({"resolved_at": "2025-03-02T09:00:00Z"}, "resolved_at"),  # before the start
        ({"external_id": "x\x00"}, "external_id"),
        ({"deployment_external_id": "d" * 201}, "deployment_external_id"),
    ],
)
def test_invalid_incident_is_422_and_writes_nothing(api, changes, field):
    response = api.post(URL, payload(**changes))
    assert response.status_code == 422
    assert field in {error["loc"][-1] for error in response.json()["detail"]}
    assert not Incident.objects.exists()


# --- PATCH: resolve


def test_resolve_an_open_incident(api, team):
    IncidentFactory(
        team=team, external_id="inc-77", started_at=parse_datetime("2025-03-02T09:20:00Z"), resolved_at=None
    )
    response = api.patch(f"{URL}/inc-77", {"resolved_at": "2025-03-02T10:20:00+01:00"})
    assert response.status_code == 200
    assert response.json()["resolved_at"] == "2025-03-02T09:20:00Z"
    assert Incident.objects.get().resolved_at == parse_datetime("2025-03-02T09:20:00Z")


def test_resolving_again_at_the_same_time_is_200_at_another_is_409(api, team):
    IncidentFactory(
        team=team, external_id="inc-77", started_at=parse_datetime("2025-03-02T09:20:00Z"), resolved_at=None
    )
    api.patch(f"{URL}/inc-77", {"resolved_at": "2025-03-02T11:00:00Z"})
    assert api.patch(f"{URL}/inc-77", {"resolved_at": "2025-03-02T11:00:00Z"}).status_code == 200
    conflict = api.patch(f"{URL}/inc-77", {"resolved_at": "2025-03-02T12:00:00Z"})
    assert conflict.status_code == 409
    assert Incident.objects.get().resolved_at == parse_datetime("2025-03-02T11:00:00Z")


def test_resolving_before_the_start_is_422(api, team):
    IncidentFactory(
        team=team, external_id="inc-77", started_at=parse_datetime("2025-03-02T09:20:00Z"), resolved_at=None
    )
    response = api.patch(f"{URL}/inc-77", {"resolved_at": "2025-03-02T09:00:00Z"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "resolved_at"
    assert Incident.objects.get().resolved_at is None


def test_resolving_an_unknown_or_another_teams_incident_is_404(api, other_team):
    IncidentFactory(team=other_team, external_id="theirs", resolved_at=None)
    assert api.patch(f"{URL}/nope", {"resolved_at": "2025-03-02T11:00:00Z"}).status_code == 404
    assert api.patch(f"{URL}/theirs", {"resolved_at": "2025-03-02T11:00:00Z"}).status_code == 404
    assert Incident.objects.get().resolved_at is None


@pytest.mark.parametrize(
    "body",
    [{}, {"resolved_at": None}, {"resolved_at": "soon"}, {"resolved_at": "2025-03-02T11:00:00Z", "x": 1}],
)
def test_resolve_needs_exactly_a_valid_resolved_at(api, team, body):
    IncidentFactory(team=team, external_id="inc-77", resolved_at=None)
    assert api.patch(f"{URL}/inc-77", body).status_code == 422


def test_get_on_an_incident_is_405(api):
    assert api.get(f"{URL}/inc-77").status_code == 405


@pytest.mark.parametrize("external_id", ["%00", "a%0Ab", "%ED%A0%80", "x" * 201])
def test_unusable_external_id_in_the_path_is_4xx(api, external_id):
    response = api.patch(f"{URL}/{external_id}", {"resolved_at": "2025-03-02T11:00:00Z"})
    assert 400 <= response.status_code < 500
