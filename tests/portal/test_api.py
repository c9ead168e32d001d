"""The site's API as a whole (portal/api.py): JSON at every /api/v1/ address, HEAD, duplicated keys."""

import json

import pytest
from django.test import Client

from delivery import tokens
from delivery.models import Deployment, Incident
from tests.delivery.factories import ApiTokenFactory, IncidentFactory

DEPLOYMENT = {
    "service": "checkout-api",
    "environment": "production",
    "deployed_at": "2025-03-01T14:30:00Z",
    "first_commit_at": "2025-03-01T09:12:00Z",
    "status": "success",
    "external_id": "gh-run-1041",
}


@pytest.fixture
def bearer(team):
    raw = tokens.generate()
    ApiTokenFactory(team=team, raw=raw)
    return {"Authorization": f"Bearer {raw}"}


def assert_json_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"} and body["detail"]
    return body["detail"]


# --- 404 and 405 are JSON too


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/", "/api/v1/deployments/", "/api/v1/teams/checkout", "/api/v1/a/b/c"]
)
def test_unknown_address_under_the_api_is_a_json_404(client, bearer, method, path):
    response = getattr(client, method)(path, headers=bearer)
    assert assert_json_error(response, 404) == "Not found."


def test_unknown_address_is_404_without_a_token_or_csrf_token_too(db):
    response = Client(enforce_csrf_checks=True).post("/api/v1/nope", "{}", content_type="application/json")
    assert_json_error(response, 404)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("delete", "/api/v1/deployments", "POST"),
        ("get", "/api/v1/deployments", "POST"),
        ("put", "/api/v1/incidents", "POST"),
        ("get", "/api/v1/incidents/inc-1", "PATCH"),
        ("delete", "/api/v1/incidents/inc-1", "PATCH"),
        ("post", "/api/v1/teams/checkout/metrics", "GET, HEAD"),
        ("delete", "/api/v1/rounds/1/scores", "GET, HEAD"),
    ],
)
def test_wrong_method_on_a_known_address_is_a_json_405_with_allow(client, bearer, method, path, allow):
    response = getattr(client, method)(path, headers=bearer)
    detail = assert_json_error(response, 405)
    assert response["Allow"] == allow
    assert method.upper() in detail and allow in detail


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/openapi.json"])
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_docs_and_schema_answer_wrong_methods_with_a_json_405(db, path, method):
    # A browser-less client without a CSRF token: the 405, not Django's CSRF failure page.
    response = getattr(Client(enforce_csrf_checks=True), method)(path)
    assert_json_error(response, 405)
    assert response["Allow"] == "GET, HEAD"


def test_schema_without_a_session_is_a_json_401(client, bearer):
    for headers in ({}, bearer):
        assert assert_json_error(client.get("/api/v1/openapi.json", headers=headers), 401) == "Sign in first."


def test_docs_page_without_a_session_sends_a_person_to_sign_in(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- HEAD


def test_head_on_a_get_operation_is_the_get_without_its_body(client, bearer):
    get = client.get("/api/v1/teams/checkout/metrics", headers=bearer)
    head = client.head("/api/v1/teams/checkout/metrics", headers=bearer)
    assert (get.status_code, head.status_code) == (200, 200)
    assert head["Content-Type"] == get["Content-Type"]
    assert get.content and head.content == b""


def test_head_on_the_schema_and_docs_for_a_signed_in_person(client_for, member):
    client = client_for(member)
    for path in ("/api/v1/openapi.json", "/api/v1/docs"):
        head = client.head(path)
        assert head.status_code == 200 and head.content == b""


# --- duplicated keys


def post_raw(client, path, body, headers):
    return client.post(path, body, content_type="application/json", headers=headers)


def test_duplicated_key_is_a_422_naming_the_key_and_nothing_is_written(client, bearer):
    body = json.dumps(DEPLOYMENT)[:-1] + ', "status": "failure"}'
    assert json.loads(body)["status"] == "failure"  # what a plain JSON reader would have kept
    response = post_raw(client, "/api/v1/deployments", body, bearer)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "payload", "status"],
                "msg": "the key status is given more than once",
                "type": "duplicated_key",
            }
        ]
    }
    assert not Deployment.objects.exists()


def test_same_value_twice_is_refused_as_well(client, bearer):
    body = json.dumps(DEPLOYMENT)[:-1] + ', "service": "checkout-api"}'
    response = post_raw(client, "/api/v1/deployments", body, bearer)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "payload", "service"]]


def test_every_duplicated_key_is_named_with_its_place_in_nested_objects(client, bearer):
    body = (
        '{"service": "a", "service": "b", "external_id": "x",'
        ' "extra": {"deep": [{"k": 1, "k": 2}], "other": 3, "other": 4}}'
    )
    response = post_raw(client, "/api/v1/incidents", body, bearer)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [
        ["body", "payload", "extra", "deep", 0, "k"],
        ["body", "payload", "extra", "other"],
        ["body", "payload", "service"],
    ]
    assert not Incident.objects.exists()


def test_duplicated_key_on_patch_is_422_and_the_incident_stays_open(client, bearer, team):
    IncidentFactory(team=team, external_id="inc-1", resolved_at=None)
    body = '{"resolved_at": "2025-03-02T11:00:00Z", "resolved_at": "2025-03-02T12:00:00Z"}'
    response = client.patch("/api/v1/incidents/inc-1", body, content_type="application/json", headers=bearer)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "resolved_at"]
    assert Incident.objects.get().resolved_at is None


def test_a_body_that_is_no_json_stays_a_400(client, bearer):
    response = post_raw(client, "/api/v1/deployments", '{"service": ', bearer)
    assert assert_json_error(response, 400) == "Cannot parse request body"


def test_deeply_nested_duplicated_key_is_found_without_recursion_error(client, bearer):
    body = '{"a": ' * 500 + '{"k": 1, "k": 2}' + "}" * 500
    response = post_raw(client, "/api/v1/deployments", body, bearer)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "k"
