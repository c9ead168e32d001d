"""Parallel retries of one ingest produce exactly one record (PostgreSQL: real concurrent writers)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from delivery.models import Deployment, Incident

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite lets one writer in at a time, so there is no race to test",
    ),
]

THREADS = 8


def run_in_parallel(requests, *, method="post", ordered=False):
    """Send each (path, body, headers) from its own thread and connection, all at once."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = [0] * len(requests)

    def send(index, path, body, headers):
        try:
            barrier.wait(timeout=10)
            call = getattr(Client(), method)
            statuses[index] = call(path, body, content_type="application/json", headers=headers).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses if ordered else sorted(statuses)


DEPLOYMENT = {
    "service": "web",
    "environment": "production",
    "deployed_at": "2025-03-01T14:30:00Z",
    "first_commit_at": "2025-03-01T09:12:00Z",
    "status": "success",
    "external_id": "retry-me",
}


@pytest.mark.django_db(transaction=True)
def test_parallel_retries_of_one_deployment_store_it_once(raw_token):
    headers = {"Authorization": f"Bearer {raw_token}"}
    statuses = run_in_parallel([("/api/v1/deployments", DEPLOYMENT, headers)] * THREADS)
    assert statuses == [200] * (THREADS - 1) + [201]
    assert Deployment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_different_deployments_under_one_external_id_store_one_and_refuse_the_rest(raw_token):
    headers = {"Authorization": f"Bearer {raw_token}"}
    failed = {**DEPLOYMENT, "status": "failure"}
    statuses = run_in_parallel(
        [("/api/v1/deployments", DEPLOYMENT if i % 2 else failed, headers) for i in range(THREADS)]
    )
    assert statuses.count(201) == 1
    assert set(statuses) <= {200, 201, 409}
    assert statuses.count(409) == THREADS // 2  # the ones that differ from the stored deployment
    assert Deployment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_retries_of_one_incident_store_it_once(raw_token):
    headers = {"Authorization": f"Bearer {raw_token}"}
    incident = {
        "service": "web",
        "started_at": "2025-03-02T09:20:00Z",
        "severity": "high",
        "external_id": "inc-1",
    }
    statuses = run_in_parallel([("/api/v1/incidents", incident, headers)] * THREADS)
    assert statuses == [200] * (THREADS - 1) + [201]
    assert Incident.objects.count() == 1


@pytest.fixture
def open_incident(team):
    from datetime import timedelta

    from django.utils import timezone

    from tests.delivery.factories import IncidentFactory

    started = timezone.now() - timedelta(hours=5)
    return IncidentFactory(team=team, external_id="inc-open", started_at=started, resolved_at=None)


@pytest.mark.django_db(transaction=True)
def test_parallel_resolves_of_one_incident_at_one_time_resolve_it_once(raw_token, open_incident):
    from datetime import timedelta

    headers = {"Authorization": f"Bearer {raw_token}"}
    resolved_at = open_incident.started_at + timedelta(hours=2)
    body = {"resolved_at": resolved_at.isoformat()}
    statuses = run_in_parallel([("/api/v1/incidents/inc-open", body, headers)] * THREADS, method="patch")
    assert statuses == [200] * THREADS
    open_incident.refresh_from_db()
    assert open_incident.resolved_at == resolved_at
    assert Incident.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_resolves_at_different_times_one_wins_the_rest_conflict(raw_token, open_incident):
    from datetime import timedelta

    headers = {"Authorization": f"Bearer {raw_token}"}
    times = [open_incident.started_at + timedelta(minutes=10 * (i + 1)) for i in range(THREADS)]
    statuses = run_in_parallel(
        [("/api/v1/incidents/inc-open", {"resolved_at": t.isoformat()}, headers) for t in times],
        method="patch",
        ordered=True,
    )
    assert sorted(statuses) == [200] + [409] * (THREADS - 1)
    open_incident.refresh_from_db()
    assert open_incident.resolved_at == times[statuses.index(200)], "the stored time is the winner's"
