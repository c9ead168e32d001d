import pytest

from delivery import tokens
from tests.delivery.factories import ApiTokenFactory


@pytest.fixture
def raw_token(team):
    """A raw API token of the persona team "checkout"."""
    raw = tokens.generate()
    ApiTokenFactory(team=team, raw=raw)
    return raw


@pytest.fixture
def api(client, raw_token):
    """Call the API as the checkout team's pipeline: ``api.post("/api/v1/deployments", {...})``."""

    class Api:
        headers = {"Authorization": f"Bearer {raw_token}"}

        def post(self, path, data, **headers):
            return client.post(
                path, data, content_type="application/json", headers={**self.headers, **headers}
            )

        def patch(self, path, data, **headers):
            return client.patch(
                path, data, content_type="application/json", headers={**self.headers, **headers}
            )

        def get(self, path, **headers):
            return client.get(path, headers={**self.headers, **headers})

    return Api()
