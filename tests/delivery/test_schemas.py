"""One external_id rule (delivery/schemas.py ExternalId): what create accepts, PATCH finds; what PATCH
refuses, create and the CSV import refuse too, as a field error."""

import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from delivery.importing import read_deployments, read_incidents
from delivery.models import EXTERNAL_ID_LENGTH, Deployment, Incident

INCIDENTS = "/api/v1/incidents"
DEPLOYMENTS = "/api/v1/deployments"
RESOLVED_AT = {"resolved_at": "2025-03-02T11:00:00Z"}


def incident(external_id):
    return {
        "service": "web",
        "started_at": "2025-03-02T09:20:00Z",
        "severity": "high",
        "external_id": external_id,
    }


def deployment(external_id):
    return {
        "service": "web",
        "environment": "production",
        "deployed_at": "2025-03-01T14:30:00Z",
        "first_commit_at": "2025-03-01T09:12:00Z",
        "status": "success",
        "external_id": external_id,
    }


def path_of(external_id):
    return f"{INCIDENTS}/{quote(external_id, safe='')}"


def field_error(response, where):
    assert response.status_code == 422, response.content
    errors = {tuple(error["loc"]): error["msg"] for error in response.json()["detail"]}
    assert where in errors, errors
    return errors[where]


# --- accepted on create, found by PATCH

# The allowed alphabet: any character but control characters, surrogates and the slash.
allowed = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="/")
external_ids = st.text(allowed, min_size=1, max_size=EXTERNAL_ID_LENGTH).filter(
    lambda text: text.strip() not in {"", ".", ".."}
)


@examples(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(external_id=external_ids)
def test_every_external_id_accepted_on_create_is_found_by_patch(api, settings, external_id):
    settings.GEMBA_API_RATE_LIMIT = 0
    with transaction.atomic():
        created = api.post(INCIDENTS, incident(external_id))
        assert created.status_code == 201, created.content
        stored = created.json()["external_id"]
        assert stored == external_id.strip()
        resolved = api.patch(path_of(external_id), RESOLVED_AT)
        assert resolved.status_code == 200, resolved.content
        assert resolved.json()["external_id"] == stored
        # The stored form (what the API answered) finds it too.
        assert api.patch(path_of(stored), RESOLVED_AT).status_code == 200
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    "external_id",
    ["gh-run-1041", "owner repo #12", "Ünïcødé-✓", "a.b", "...", "%41", "?x=1&y#z", "x" * EXTERNAL_ID_LENGTH],
)
def test_ids_with_spaces_dots_and_url_characters_work_on_every_call(api, external_id):
    assert api.post(INCIDENTS, incident(external_id)).status_code == 201
    response = api.patch(path_of(external_id), RESOLVED_AT)
    assert response.status_code == 200
    assert Incident.objects.get().resolved_at is not None


def test_surrounding_spaces_are_removed_on_create_and_in_the_path(api):
    assert api.post(INCIDENTS, incident("  inc-1 ")).json()["external_id"] == "inc-1"
    assert api.patch(path_of(" inc-1  "), RESOLVED_AT).status_code == 200


# --- refused alike everywhere

REFUSED = [
    ("a/b", "slash"),
    ("/", "slash"),
    (".", "path segment"),
    ("..", "path segment"),
    (" .. ", "path segment"),
    ("a\x85b", "control characters"),  # C1 control character: once allowed in the path only
    ("a\tb", "control characters"),
    ("   ", "blank"),
    ("x" * (EXTERNAL_ID_LENGTH + 1), f"at most {EXTERNAL_ID_LENGTH} characters"),
]


@pytest.mark.parametrize(("external_id", "says"), REFUSED)
def test_what_patch_refuses_is_a_422_on_the_path_parameter(api, team, external_id, says):
    if "/" in external_id:
        # A slash cannot be inside one path segment: the address is another one, a JSON 404.
        response = api.patch(f"{INCIDENTS}/{external_id}", RESOLVED_AT)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        return
    response = api.patch(path_of(external_id), RESOLVED_AT)
    assert says in field_error(response, ("path", "external_id")).lower()


@pytest.mark.parametrize(("external_id", "says"), REFUSED)
def test_what_patch_refuses_is_refused_on_create(api, external_id, says):
    for url, body in ((INCIDENTS, incident(external_id)), (DEPLOYMENTS, deployment(external_id))):
        response = api.post(url, body)
        assert says in field_error(response, ("body", "payload", "external_id")).lower()
    response = api.post(INCIDENTS, incident("inc-1") | {"deployment_external_id": external_id})
    assert says in field_error(response, ("body", "payload", "deployment_external_id")).lower()
    assert not Incident.objects.exists() and not Deployment.objects.exists()


def csv_cell(value):
    return '"' + value.replace('"', '""') + '"'


# A blank cell is an empty cell in a CSV file: "required" for external_id, left out for the optional one.
@pytest.mark.parametrize(("external_id", "says"), [(e, s) for e, s in REFUSED if e.strip()])
def test_what_patch_refuses_is_refused_by_the_csv_import(external_id, says):
    deployments = (
        "external_id,service,environment,deployed_at,first_commit_at,status\n"
        f"{csv_cell(external_id)},web,production,2025-03-01T14:30:00Z,2025-03-01T09:00:00Z,success\n"
    )
    incidents = (
        "external_id,service,severity,started_at,deployment_external_id\n"
        f"inc-1,web,high,2025-03-02T09:20:00Z,{csv_cell(external_id)}\n"
    )
    valid, errors = read_deployments(io.BytesIO(deployments.encode()), file="deployments.csv")
    assert not valid
    assert [(error.row, error.field) for error in errors] == [(2, "external_id")]
    assert says in errors[0].message.lower()
    valid, errors = read_incidents(io.BytesIO(incidents.encode()), file="incidents.csv")
    assert not valid
    assert [(error.row, error.field) for error in errors] == [(2, "deployment_external_id")]


def test_import_page_names_the_row_and_the_slash(client_for, lead, team):
    csv = (
        "external_id,service,environment,deployed_at,first_commit_at,status\n"
        "org/repo/41,web,production,2025-03-01T14:30:00Z,2025-03-01T09:00:00Z,success\n"
    )
    response = client_for(lead).post(
        f"/teams/{team.slug}/delivery/import/",
        {"deployments": SimpleUploadedFile("deployments.csv", csv.encode(), content_type="text/csv")},
    )
    assert response.status_code == 200  # the form again, with the row's error
    [error] = response.context["row_errors"]
    assert (error.row, error.field) == (2, "external_id") and "slash" in error.message
    assert not Deployment.objects.exists()
