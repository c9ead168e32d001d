"""A real OpenID provider on loopback (oidc-provider-mock, started by the tests) and Gemba set up
to sign in with it."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import oidc_provider_mock
import pytest
import requests
from django.core.cache import cache


@pytest.fixture
def provider_url():
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def expired_provider_url():
    """A provider whose tokens are expired when it issues them (a clock far ahead of Gemba's)."""
    with oidc_provider_mock.run_server_in_thread(access_token_max_age=-timedelta(minutes=5)) as server:
        yield f"http://localhost:{server.server_port}"


def configure(settings, url: str) -> None:
    settings.GEMBA_OIDC_ISSUER = url
    settings.GEMBA_OIDC_NAME = "Acme SSO"
    settings.OIDC_RP_CLIENT_ID = "gemba"
    settings.OIDC_RP_CLIENT_SECRET = "gemba-secret"
    settings.GEMBA_OIDC_GROUP_MAP = (
        "gemba-{team}-leads -> lead; gemba-{team} -> member; gemba-managers-{group} -> manager"
    )
    cache.clear()  # no discovery document of another test's provider


@pytest.fixture
def sso(settings, provider_url):
    configure(settings, provider_url)
    return provider_url


def set_claims(provider: str, sub: str, **claims) -> None:
    response = requests.put(f"{provider}/users/{sub}", json=claims, timeout=5)
    assert response.status_code == 204


def sign_in(client, provider: str, sub: str, *, tamper=None):
    """The code flow through the real provider: Gemba → provider's form (sub) → Gemba's callback."""
    start = client.get("/accounts/oidc/login/")
    assert start.status_code == 302, start
    authorize = start.headers["Location"]
    query = parse_qs(urlparse(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"]
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    callback = urlparse(answer.headers["Location"])
    assert callback.path == "/oidc/callback/"
    target = f"{callback.path}?{callback.query}"
    if tamper:
        target = tamper(client, target)
    return client.get(target)
