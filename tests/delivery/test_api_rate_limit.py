"""Each API token has its own request budget per period (settings, counted in the cache)."""

from delivery import tokens
from tests.delivery.factories import ApiTokenFactory

URL = "/api/v1/teams/checkout/metrics"


def test_token_over_its_rate_gets_429_with_retry_after(api, settings):
    settings.GEMBA_API_RATE_LIMIT = 3
    settings.GEMBA_API_RATE_PERIOD = 60
    statuses = [api.get(URL).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get(URL)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "detail" in limited.json()


def test_ingest_counts_too(api, settings):
    settings.GEMBA_API_RATE_LIMIT = 1
    api.post("/api/v1/deployments", {})
    assert api.post("/api/v1/deployments", {}).status_code == 429


def test_each_token_has_its_own_budget(api, client, team, settings):
    settings.GEMBA_API_RATE_LIMIT = 1
    assert api.get(URL).status_code == 200
    assert api.get(URL).status_code == 429
    other = tokens.generate()
    ApiTokenFactory(team=team, raw=other)
    assert client.get(URL, headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_unauthenticated_requests_are_401_not_429(client, team, api, settings):
    settings.GEMBA_API_RATE_LIMIT = 1
    api.get(URL)
    api.get(URL)
    assert client.get(URL).status_code == 401


def test_signed_in_people_are_not_limited(client_for, member, settings):
    settings.GEMBA_API_RATE_LIMIT = 1
    client = client_for(member)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]


def test_limit_zero_switches_it_off(api, settings):
    settings.GEMBA_API_RATE_LIMIT = 0
    assert {api.get(URL).status_code for _ in range(5)} == {200}
