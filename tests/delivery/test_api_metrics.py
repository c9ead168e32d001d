"""GET /api/v1/teams/<slug>/metrics: the team's token or a signed-in person who may see the team."""

from datetime import timedelta

import pytest
from django.utils import timezone

from delivery import tokens
from tests.delivery.factories import ApiTokenFactory, DeploymentFactory, IncidentFactory
from tests.factories import TeamFactory

URL = "/api/v1/teams/checkout/metrics"


@pytest.fixture
def history(team):
    now = timezone.now()
    deployments = [
        DeploymentFactory(
            team=team,
            deployed_at=now - timedelta(days=day),
            first_commit_at=now - timedelta(days=day, hours=10),
        )
        for day in range(1, 21)
    ]
    DeploymentFactory(team=team, deployed_at=now - timedelta(days=2), status="failure")
    DeploymentFactory(team=team, deployed_at=now - timedelta(days=3), environment="staging")  # not counted
    DeploymentFactory(team=team, deployed_at=now - timedelta(days=200))  # outside the window
    started = now - timedelta(days=5)
    IncidentFactory(
        team=team, caused_by=deployments[4], started_at=started, resolved_at=started + timedelta(hours=3)
    )
    IncidentFactory(team=team, started_at=now - timedelta(hours=2), resolved_at=None)
    return deployments


def test_team_token_reads_its_keys(api, history):
    response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["team"] == "checkout"
    assert body["window_days"] == 90
    # DORA 2024: the failed pipeline run never reached production, so it is an attempt, not a
    # deployment, and not a change failure; the deployment that caused an incident is one.
    assert body["deployment_frequency"]["deployments"] == 20
    assert body["deployment_frequency"]["failed_attempts"] == 1
    assert body["change_lead_time"] == {
        "median_hours": 10.0,
        "samples": 20,
        "without_commit_time": 0,
        "level": "elite",
    }
    assert body["change_fail_rate"]["change_failures"] == 1
    assert body["change_fail_rate"]["rate"] == pytest.approx(1 / 20, abs=1e-4)
    assert body["failed_deployment_recovery_time"]["samples"] == 1
    assert body["failed_deployment_recovery_time"]["median_hours"] == 3.0
    assert body["deployment_rework_rate"] == {"rate": 0.0, "rework_deployments": 0}
    assert body["instability"]["rate"] == pytest.approx(1 / 40, abs=1e-4)
    assert 0 <= body["throughput"]["score"] <= 100
    assert body["incidents"] == 2 and body["open_incidents"] == 1
    assert body["level"] in {"elite", "high", "medium", "low"}
    assert 0 <= body["score"] <= 100
    assert body["production"] == ["production", "prod"]
    assert body["levels_year"] == 2024 and "2024" in body["thresholds"]


def test_the_old_names_stay_one_release_as_aliases_of_the_new(api, history):
    body = api.get(URL).json()
    assert body["lead_time"] == body["change_lead_time"]
    assert body["change_failure_rate"] == body["change_fail_rate"]
    assert body["change_failure_rate"]["failed_deployments"] == body["change_fail_rate"]["change_failures"]
    assert body["recovery_time"] == body["failed_deployment_recovery_time"]
    assert body["rework_rate"] == body["deployment_rework_rate"]
    assert body["environments"] == body["production"]


def test_the_schema_marks_the_old_names_deprecated():
    from portal.api import api

    schema = api.get_openapi_schema()["components"]["schemas"]["MetricsOut"]["properties"]
    for old in ["lead_time", "change_failure_rate", "recovery_time", "rework_rate", "environments"]:
        assert schema[old].get("deprecated") is True, old
    assert not schema["change_lead_time"].get("deprecated")


def test_window_parameter(api, history):
    body = api.get(URL + "?window=7").json()
    assert body["window_days"] == 7
    assert body["deployment_frequency"]["deployments"] == 6  # days 1–6; the failed run is an attempt
    assert body["deployment_frequency"]["failed_attempts"] == 1


@pytest.mark.parametrize("window", ["0", "366", "ninety", "-1"])
def test_invalid_window_is_422(api, window):
    assert api.get(f"{URL}?window={window}").status_code == 422


def test_team_without_deployments_has_no_level(api):
    body = api.get(URL).json()
    assert body["deployment_frequency"]["deployments"] == 0
    assert body["level"] is None and body["score"] is None
    assert body["change_fail_rate"]["rate"] is None


def test_token_of_another_team_gets_404(client, team, other_team):
    raw = tokens.generate()
    ApiTokenFactory(team=other_team, raw=raw)
    response = client.get(URL, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 404


def test_unknown_team_is_404_for_a_token(api):
    assert api.get("/api/v1/teams/nope/metrics").status_code == 404


@pytest.mark.parametrize("persona", ["member", "lead", "manager", "staff"])
def test_people_who_may_see_the_team_read_its_keys(client_for, request, history, persona):
    response = client_for(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == 200
    assert response.json()["deployment_frequency"]["deployments"] == 20


def test_outsider_gets_404(client_for, outsider, team):
    assert client_for(outsider).get(URL).status_code == 404


def test_unknown_team_is_404_when_signed_in(client_for, member):
    assert client_for(member).get("/api/v1/teams/nope/metrics").status_code == 404


def test_anonymous_is_401(client, team):
    assert client.get(URL).status_code == 401


def test_post_is_405(client_for, member):
    assert client_for(member).post(URL).status_code == 405


def test_metrics_query_count_does_not_grow_with_history(api, team, django_assert_max_num_queries):
    now = timezone.now()
    for day in range(60):
        deployment = DeploymentFactory(team=team, deployed_at=now - timedelta(days=day, hours=1))
        if day % 7 == 0:
            IncidentFactory(
                team=team, caused_by=deployment, started_at=deployment.deployed_at + timedelta(minutes=5)
            )
    TeamFactory.create_batch(3)
    # Token lookup, its use stamp, deployments, incidents, the team's rules.
    with django_assert_max_num_queries(5):
        assert api.get(URL).status_code == 200


def test_metrics_query_count_for_a_signed_in_person(
    client_for, manager, history, django_assert_max_num_queries
):
    client = client_for(manager)
    # Session, user, team (visible_to), deployments, incidents, the team's rules.
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200
