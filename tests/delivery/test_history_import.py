"""CSV import of deployment and incident history: leads only, every row checked, all or nothing."""

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from delivery.models import Deployment, Incident
from tests.delivery.factories import DeploymentFactory

URL = "/teams/checkout/delivery/import/"

DEPLOYMENTS = """external_id,service,environment,deployed_at,first_commit_at,status,is_rework
web-1,web,production,2025-03-01T14:30:00Z,2025-03-01T09:12:00Z,success,false
web-2,web,Production,2025-03-02T10:05:00+01:00,2025-03-01T16:40:00+01:00,failure,
web-3,web,production,2025-03-03T10:05:00Z,2025-03-03T08:00:00Z,success,yes
"""
INCIDENTS = """external_id,service,severity,started_at,resolved_at,deployment_external_id
inc-1,web,high,2025-03-02T09:20:00Z,2025-03-02T11:00:00Z,web-2
inc-2,web,low,2025-03-04T09:20:00Z,,
"""


def upload(name, text):
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def post(client, deployments=None, incidents=None):
    data = {}
    if deployments is not None:
        data["deployments"] = upload("deployments.csv", deployments)
    if incidents is not None:
        data["incidents"] = upload("incidents.csv", incidents)
    return client.post(URL, data)


def row_errors(response):
    return [(e.file, e.row, e.field) for e in response.context["row_errors"]]


def test_lead_imports_deployments_and_incidents_that_refer_to_them(client_for, lead, team):
    response = post(client_for(lead), DEPLOYMENTS, INCIDENTS)
    assert response.status_code == 302
    assert response.headers["Location"] == "/teams/checkout/delivery/"
    assert Deployment.objects.filter(team=team).count() == 3
    web2 = Deployment.objects.get(external_id="web-2")
    assert web2.environment == "production" and web2.status == "failure" and not web2.is_rework
    assert web2.deployed_at == datetime(2025, 3, 2, 9, 5, tzinfo=UTC)
    assert Deployment.objects.get(external_id="web-3").is_rework
    assert Incident.objects.get(external_id="inc-1").caused_by == web2
    open_incident = Incident.objects.get(external_id="inc-2")
    assert open_incident.resolved_at is None and open_incident.caused_by is None


def test_success_message_counts_what_was_imported(client_for, lead, team):
    response = client_for(lead).post(
        URL,
        {"deployments": upload("d.csv", DEPLOYMENTS), "incidents": upload("i.csv", INCIDENTS)},
        follow=True,
    )
    assert "Imported 3 deployments and 2 incidents" in response.content.decode()


def test_importing_the_same_files_again_creates_nothing(client_for, lead, team):
    client = client_for(lead)
    post(client, DEPLOYMENTS, INCIDENTS)
    response = post(client, DEPLOYMENTS, INCIDENTS)
    assert response.status_code == 302
    assert (Deployment.objects.count(), Incident.objects.count()) == (3, 2)


def test_incidents_may_refer_to_deployments_stored_before(client_for, lead, team):
    DeploymentFactory(team=team, external_id="web-2")
    assert post(client_for(lead), incidents=INCIDENTS).status_code == 302
    assert Incident.objects.get(external_id="inc-1").caused_by.external_id == "web-2"


def test_bad_rows_are_each_reported_and_nothing_is_written(client_for, lead, team):
    deployments = (
        DEPLOYMENTS
        + "web-4,web,production,2025-03-03T10:05:00,2025-03-03T08:00:00Z,success,false\n"  # no time zone
        + "web-5,web,production,2025-03-03T10:05:00Z,2025-03-04T08:00:00Z,succeeded,false\n"  # two problems
        + "web-1,web,production,2025-03-01T14:30:00Z,2025-03-01T09:12:00Z,success,false\n"  # repeated id
        + ",,,,,,\n"  # blank rows are skipped
        + "web-6,,production,2025-03-03T10:05:00Z,2025-03-03T08:00:00Z,success,false\n"  # no service
    )
    incidents = INCIDENTS + "inc-3,web,high,2025-03-05T09:20:00Z,,web-99\n"
    response = post(client_for(lead), deployments, incidents)
    assert response.status_code == 200
    assert row_errors(response) == [
        ("deployments.csv", 5, "deployed_at"),
        ("deployments.csv", 6, "first_commit_at"),
        ("deployments.csv", 6, "status"),
        ("deployments.csv", 9, "service"),
    ]
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "Use an ISO-8601 date and time with a time zone" in html
    assert not Deployment.objects.exists() and not Incident.objects.exists()


def test_conflicts_with_stored_records_and_unknown_deployments_are_row_errors(client_for, lead, team):
    DeploymentFactory(team=team, external_id="web-1", service="other")
    incidents = INCIDENTS + "inc-3,web,high,2025-03-05T09:20:00Z,,web-99\n"
    response = post(client_for(lead), DEPLOYMENTS, incidents)
    assert response.status_code == 200
    assert row_errors(response) == [
        ("deployments.csv", 2, "external_id"),
        ("incidents.csv", 4, "deployment_external_id"),
    ]
    html = response.content.decode()
    assert "a different deployment is already stored under external_id web-1" in html
    assert "no deployment with external_id web-99" in html
    assert Deployment.objects.count() == 1 and not Incident.objects.exists()


def test_a_repeated_external_id_in_one_file_names_the_first_row(client_for, lead, team):
    response = post(client_for(lead), DEPLOYMENTS + DEPLOYMENTS.splitlines()[1] + "\n")
    assert row_errors(response) == [("deployments.csv", 5, "external_id")]
    assert "already used in row 2" in response.content.decode()
    assert not Deployment.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfeexternal_id", "not UTF-8"),
        (b"external_id,service\x00", "NUL bytes"),
        (b"", "The submitted file is empty"),
        (b"external_id,service,colour\n", "Unknown columns: colour"),
        (b"external_id,service,environment\n", "Missing columns: deployed_at, first_commit_at, status"),
        (b"external_id,external_id\n", "Columns named twice"),
        (DEPLOYMENTS.splitlines()[0].encode() + b"\n", "no data rows"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(client_for, lead, team, content, message):
    response = client_for(lead).post(URL, {"deployments": upload("deployments.csv", content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Deployment.objects.exists()


def test_a_row_with_too_many_cells_is_an_error(client_for, lead, team):
    response = post(
        client_for(lead),
        DEPLOYMENTS + "web-9,web,production,2025-03-03T10:05:00Z,2025-03-03T08:00:00Z,success,false,extra\n",
    )
    assert row_errors(response) == [("deployments.csv", 5, "")]


def test_a_file_is_needed(client_for, lead):
    response = client_for(lead).post(URL, {})
    assert "Choose a deployments file, an incidents file or both." in response.content.decode()


def test_excel_style_bom_and_crlf_are_fine(client_for, lead, team):
    content = "\ufeff" + DEPLOYMENTS.replace("\n", "\r\n")
    assert post(client_for(lead), content).status_code == 302
    assert Deployment.objects.count() == 3


def test_lead_sees_the_form(client_for, lead):
    response = client_for(lead).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "external_id,service,environment,deployed_at,first_commit_at,status,is_rework" in html


@pytest.mark.parametrize(("persona", "status"), [("member", 403), ("outsider", 404)])
def test_only_leads_import(client_for, request, team, persona, status):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == status
    assert post(client, DEPLOYMENTS).status_code == status
    assert not Deployment.objects.exists()


def test_other_methods_are_405(client_for, lead):
    assert client_for(lead).put(URL).status_code == 405
