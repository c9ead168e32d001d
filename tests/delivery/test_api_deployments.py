"""POST /api/v1/deployments: authentication, idempotency, conflicts, validation."""

import json

import pytest
from django.utils import timezone

from delivery import tokens
from delivery.models import ApiToken, Deployment
from tests.delivery.factories import ApiTokenFactory

URL = "/api/v1/deployments"


def payload(**changes):
    data = {
        "service": "checkout-api",
        "environment": "production",
        "deployed_at": "2025-03-01T14:30:00Z",
        "first_commit_at": "2025-03-01T09:12:00+01:00",
        "status": "success",
        "external_id": "gh-run-1041",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


# --- authentication


def test_missing_token_is_401(client, team):
    response = client.post(URL, payload(), content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert not Deployment.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer gemba_" + "x" * 43,  # well-formed, unknown
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
    ],
)
def test_unknown_or_malformed_token_is_401(client, team, header):
    response = client.post(URL, payload(), content_type="application/json", headers={"Authorization": header})
    assert response.status_code == 401
    assert not Deployment.objects.exists()


def test_revoked_token_is_401(api, raw_token):
    ApiToken.objects.update(revoked_at=timezone.now())
    assert api.post(URL, payload()).status_code == 401
    assert not Deployment.objects.exists()


def test_token_decides_the_team(client, team, other_team):
    raw = tokens.generate()
    ApiTokenFactory(team=other_team, raw=raw)
    response = client.post(
        URL, payload(), content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 201
    assert Deployment.objects.get().team == other_team


def test_use_is_recorded_on_the_token(api, raw_token):
    api.post(URL, payload())
    assert ApiToken.objects.get().last_used_at is not None


# --- idempotency and conflicts


def test_first_report_creates_201_with_the_stored_deployment(api, team):
    response = api.post(URL, payload(is_rework=True))
    assert response.status_code == 201
    body = response.json()
    assert body["external_id"] == "gh-run-1041"
    assert body["first_commit_at"] == "2025-03-01T08:12:00Z"  # kept as the same instant, in UTC
    assert body["is_rework"] is True
    deployment = Deployment.objects.get()
    assert (deployment.team, deployment.service, deployment.status) == (team, "checkout-api", "success")


def test_same_report_again_is_200_and_no_duplicate(api):
    first = api.post(URL, payload())
    again = api.post(URL, payload(first_commit_at="2025-03-01T08:12:00Z"))  # same instant, other notation
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Deployment.objects.count() == 1


def test_different_report_under_a_known_external_id_is_409_with_the_stored_one(api):
    api.post(URL, payload())
    response = api.post(URL, payload(status="failure"))
    assert response.status_code == 409
    body = response.json()
    assert "gh-run-1041" in body["detail"]
    assert body["stored"]["status"] == "success"
    assert Deployment.objects.get().status == "success"


def test_external_ids_are_unique_per_team_not_globally(api, client, other_team):
    api.post(URL, payload())
    raw = tokens.generate()
    ApiTokenFactory(team=other_team, raw=raw)
    response = client.post(
        URL,
        payload(status="failure"),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201
    assert Deployment.objects.count() == 2


def test_environment_is_stored_in_lower_case_and_text_trimmed(api):
    response = api.post(URL, payload(environment=" Production ", service=" web "))
    assert response.status_code == 201
    assert (response.json()["environment"], response.json()["service"]) == ("production", "web")


# --- validation: 4xx with field errors, nothing written


def field_errors(response) -> dict[str, str]:
    return {error["loc"][-1]: error["msg"] for error in response.json()["detail"]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deployed_at": "2025-03-01T14:30:00"}, "deployed_at"),  # no time zone
        ({"deployed_at": "2025-03-01"}, "deployed_at"),
        ({"deployed_at": "yesterday"}, "deployed_at"),
        ({"deployed_at": 1740839400}, "deployed_at"),  # Unix seconds are not ISO-8601
        ({"deployed_at": "1969-12-31T23:00:00Z", "first_commit_at": "1969-12-31T22:00:00Z"}, "deployed_at"),
        ({"deployed_at": "2999-01-01T00:00:00Z"}, "deployed_at"),
        (
            {"deployed_at": "0001-01-01T00:00:00+01:00"},
            "deployed_at",
        ),  # no UTC equivalent (found by schemathesis)
        ({"first_commit_at": "2025-03-01T15:00:00Z"}, "first_commit_at"),  # after the deployment
        ({"status": "succeeded"}, "status"),
        ({"status": None}, "status"),
        ({"service": "web\x00"}, "service"),
        ({"service": "web\napi"}, "service"),
        ({"service": "   "}, "service"),
        ({"service": "x" * 101}, "service"),
        ({"environment": "e" * 51}, "environment"),
        ({"external_id": "i" * 201}, "external_id"),
        ({"external_id": ""}, "external_id"),
        ({"external_id": 42}, "external_id"),
        ({"is_rework": "maybe"}, "is_rework"),
        ({"service": ...}, "service"),
        ({"colour": "blue"}, "colour"),  # unknown fields are refused, typos included
    ],
)
def test_invalid_field_is_422_naming_the_field_and_writes_nothing(api, changes, field):
    response = api.post(URL, payload(**changes))
    assert response.status_code == 422
    assert field in field_errors(response)
    assert not Deployment.objects.exists()


def test_nul_byte_message_says_what_is_wrong(api):
    response = api.post(URL, payload(service="web\x00"))
    assert "control characters" in field_errors(response)["service"]


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "42"])
def test_body_that_is_not_a_json_object_is_422(api, client, raw_token, body):
    response = client.post(URL, body, content_type="application/json", headers=api.headers)
    assert response.status_code == 422
    assert not Deployment.objects.exists()


@pytest.mark.parametrize("body", ["{", "{'single': 'quotes'}", b"\xff\xfe"])
def test_body_that_is_not_json_is_400(api, client, raw_token, body):
    response = client.post(URL, body, content_type="application/json", headers=api.headers)
    assert response.status_code == 400
    assert "detail" in response.json()


def test_empty_body_is_422(api, client):
    response = client.post(URL, "", content_type="application/json", headers=api.headers)
    assert response.status_code == 422


def test_errors_are_json_not_html(api):
    response = api.post(URL, payload(status="nope"))
    assert response.headers["Content-Type"].startswith("application/json")
    json.dumps(response.json())


# --- methods


def test_get_on_the_collection_is_405(api):
    assert api.get(URL).status_code == 405


def test_lone_surrogate_is_422_not_a_database_error(api, client):
    body = '{"service": "web\\ud800", "environment": "production", "deployed_at": "2025-03-01T14:30:00Z", '
    body += '"first_commit_at": "2025-03-01T09:12:00Z", "status": "success", "external_id": "x\\ud800"}'
    response = client.post(URL, body, content_type="application/json", headers=api.headers)
    assert response.status_code == 422
    assert {"service", "external_id"} <= set(field_errors(response))


def test_pipelines_need_no_csrf_token(raw_token, team):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        URL, payload(), content_type="application/json", headers={"Authorization": f"Bearer {raw_token}"}
    )
    assert response.status_code == 201
