"""/teams/<slug>/delivery/records/: the deployments and incidents behind each number, and its CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.delivery.factories import DeploymentFactory, IncidentFactory

URL = "/teams/checkout/delivery/records/"


@pytest.fixture
def history(team):
    now = timezone.now()
    web = [
        DeploymentFactory(team=team, service="web", deployed_at=now - timedelta(days=d, hours=1))
        for d in range(1, 11)
    ]
    DeploymentFactory(
        team=team, service="api", deployed_at=now - timedelta(days=3), status="failure"
    )  # attempt
    DeploymentFactory(
        team=team, service="web", deployed_at=now - timedelta(days=4, minutes=30), is_rework=True
    )
    IncidentFactory(
        team=team, service="web", caused_by=web[0], started_at=web[0].deployed_at + timedelta(minutes=5)
    )
    return web


def test_change_fail_rate_lists_the_deployments_with_why_each_failed(client_for, member, history):
    response = client_for(member).get(URL + "?key=change_fail_rate&days=90")
    assert response.status_code == 200
    records = response.context["records"]
    assert records.keys.deployments == 11
    failed = [row for row in records.deployments if row.failure]
    assert {row.failure.reason for row in failed} == {"incident", "rework"}
    html = response.content.decode()
    assert "caused an incident" in html and "fixed by rework" in html
    assert len(records.incidents) == 1


def test_failed_attempts_are_listed_apart(client_for, member, history):
    records = client_for(member).get(URL + "?key=failed_attempts").context["records"]
    assert [row.deployment.service for row in records.deployments] == ["api"]
    assert records.keys.failed_attempts == 1


def test_records_per_service(client_for, member, history):
    records = client_for(member).get(URL + "?service=api").context["records"]
    assert records.keys.deployments == 0 and records.services == ["api", "web"]


def test_a_month_and_the_partial_one(client_for, member, history):
    now = timezone.localtime()
    response = client_for(member).get(URL + f"?month={now:%Y-%m}")
    assert response.context["records"].period.partial
    assert "partial month, counted so far" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["?key=nope", "?days=abc", "?month=2026-13", "?month=9999-01", "?service=%00"]
)
def test_odd_filters_fall_back_never_a_500(client_for, member, history, query):
    assert client_for(member).get(URL + query).status_code == 200


def test_the_csv_has_every_record_and_why(client_for, member, history):
    response = client_for(member).get("/teams/checkout/delivery/records.csv?key=change_fail_rate")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sum(row["record"] == "deployment" for row in rows) == 11
    assert sum(row["record"] == "incident" for row in rows) == 1
    assert {row["change_failure"] for row in rows if row["record"] == "deployment"} == {
        "",
        "incident",
        "rework",
    }


def test_outsiders_get_404(client_for, outsider, team):
    assert client_for(outsider).get(URL).status_code == 404
    assert client_for(outsider).get("/teams/checkout/delivery/records.csv").status_code == 404


def test_query_count_does_not_grow_with_history(client_for, member, team, django_assert_max_num_queries):
    now = timezone.now()
    for day in range(60):
        deployment = DeploymentFactory(team=team, deployed_at=now - timedelta(days=day, hours=2))
        if day % 5 == 0:
            IncidentFactory(team=team, caused_by=deployment, started_at=deployment.deployed_at)
    client = client_for(member)
    # Session, user, team, services, deployments, incidents; the navigation's lead checks.
    with django_assert_max_num_queries(8):
        assert client.get(URL + "?key=change_fail_rate").status_code == 200
