"""Schemathesis over /api/v1/openapi.json: generated requests, valid and invalid, never get a 5xx.

Runs in-process against the WSGI application with a valid token of the team, so every operation
is exercised past authentication; bounded to 30 examples per operation and generation mode.
"""

from contextlib import contextmanager

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from portal.api import api
from portal.wsgi import application
from tests.delivery.factories import DeploymentFactory, IncidentFactory

MAX_EXAMPLES = 30
# Every operation of the composed API, read from its schema when the tests are collected.
OPERATIONS = [
    (method.upper(), path)
    for path, methods in api.get_openapi_schema()["paths"].items()
    for method in methods
]


@contextmanager
def connection_kept_open():
    """Like Django's test client: the WSGI app must not close the connection that holds the test's
    transaction around each request (it would on PostgreSQL). The test client reconnects these
    receivers after each of its own requests, so this wraps the generated calls only."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(client_for, member, team):
    # Known records give generated repeats, conflicts and resolutions something to hit.
    DeploymentFactory(team=team, external_id="known")
    IncidentFactory(team=team, external_id="known", resolved_at=None)
    # The schema is for signed-in users: read it as one, then send the cases to the WSGI app.
    response = client_for(member).get("/api/v1/openapi.json")
    assert response.status_code == 200
    loaded = schemathesis.openapi.from_dict(response.json())
    loaded.app = application
    return loaded


def test_every_operation_is_covered():
    assert ("POST", "/api/v1/deployments") in OPERATIONS
    assert len(OPERATIONS) >= 4


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_never_answers_with_a_server_error(
    api_schema, client, raw_token, team, settings, method, path, mode, record_property
):
    settings.GEMBA_API_RATE_LIMIT = 0
    session_id = client.cookies["sessionid"].value
    operation = api_schema[path][method]
    # Valid requests to the team's own metrics too, not only to slugs that do not exist.
    known = {"slug": team.slug} if mode is GenerationMode.POSITIVE and "{slug}" in path else None
    calls = []

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=known))
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        # Token-only operations get the team's token; session-only ones (survey results) the
        # signed-in member's session cookie, so both are exercised past authentication.
        headers = {"Authorization": f"Bearer {raw_token}", "Cookie": f"sessionid={session_id}"}
        response = case.call_and_validate(
            headers=headers,
            checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
        )
        calls.append(response.status_code)

    with connection_kept_open():
        check()
    assert calls
    record_property("count:schemathesis API cases", len(calls))
