"""A newcomer signs in with the organisation's OpenID provider in Chromium: Gemba's sign-in page,
the provider's form, back to Gemba in the teams their groups name, then signs out at both."""

import oidc_provider_mock
import pytest
from playwright.sync_api import expect

from tests.accounts.conftest import configure, set_claims
from tests.browser.a11y import check_page
from tests.factories import TeamFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(settings):
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        url = f"http://localhost:{server.server_port}"
        configure(settings, url)
        yield url


def test_newcomer_signs_in_with_the_provider_and_lands_in_their_team(page, provider, screenshot, live_server):
    TeamFactory(slug="checkout", name="Checkout")
    set_claims(provider, "ada@example.com", email="ada@example.com", given_name="Ada",
               preferred_username="ada", groups=["gemba-checkout-leads"])  # fmt: skip
    # The provider's own pages load a stylesheet from a CDN; offline here, it is answered empty.
    page.route(
        "https://cdn.jsdelivr.net/**",
        lambda route: route.fulfill(status=200, body="", content_type="text/css"),
    )
    page.goto("/accounts/login/")
    check_page(page)
    screenshot(page, "sso-sign-in")
    page.get_by_role("link", name="Sign in with Acme SSO").click()
    # The provider's own page: who signs in.
    page.get_by_label("Subject").fill("ada@example.com")
    page.get_by_role("button", name="Authorize", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("ada")
    page.goto("/teams/checkout/delivery/")
    expect(
        page.get_by_role("heading", name="Connect your pipeline and incident tool")
    ).to_be_visible()  # a lead
    page.get_by_role("button", name="Sign out").click()
    # The provider asks to confirm ending its session, then sends the person back to Gemba.
    page.get_by_role("button", name="End session").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
