"""A lead connects GitHub and PagerDuty: creates each webhook, copies URL and secret from the page,
the providers' calls arrive, link, and the keys open the records behind them."""

import hashlib
import hmac
import json
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import check_page
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.browser


def _call(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310 - the live server on loopback
        return response.status


def _connect(page, provider: str) -> tuple[str, str]:
    page.goto("/teams/checkout/delivery/")
    page.get_by_label("Provider").select_option(provider)
    page.get_by_role("button", name="Create webhook").click()
    expect(page.get_by_role("status")).to_contain_text("the secret is shown only this once")
    return page.get_by_label("Payload URL").input_value(), page.get_by_label(
        "Secret", exact=True
    ).input_value()


def test_lead_connects_github_and_pagerduty_and_sees_deployments_and_incidents_link(
    page, sign_in, screenshot, live_server
):
    team = TeamFactory(slug="checkout", name="Checkout")
    lead = MembershipFactory(team=team, user=UserFactory(username="lead"), role="lead").user
    sign_in(page, lead)

    github_url, github_secret = _connect(page, "github")
    assert github_url.startswith(live_server.url + "/webhooks/github/")
    check_page(page)
    screenshot(page, "webhook-created")

    now = datetime.now(UTC).replace(microsecond=0)
    deployed = now - timedelta(hours=3)
    body = json.dumps(
        {
            "action": "created",
            "deployment_status": {
                "state": "success", "created_at": deployed.isoformat(), "updated_at": deployed.isoformat()
            },
            "deployment": {"id": 501, "sha": "5d1f8b9c0a7e6f4d3c2b1a09f8e7d6c5b4a39281", "ref": "main",
                           "environment": "production", "payload": {"service": "checkout-api"},
                           "created_at": deployed.isoformat()},
            "repository": {"id": 42, "name": "shop", "full_name": "acme/shop"},
        }
    ).encode()  # fmt: skip
    signature = "sha256=" + hmac.new(github_secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "X-GitHub-Event": "deployment_status",
        "X-GitHub-Delivery": "g-501",
        "X-Hub-Signature-256": signature,
    }
    assert _call(github_url, body, headers) == 201

    pagerduty_url, _made = _connect(page, "pagerduty")
    # PagerDuty shows its own secret once: the lead pastes it where Gemba asks for it.
    page.get_by_label("PagerDuty's signing secret").fill("pagerduty-own-secret-123")
    page.get_by_role("button", name="Set secret").click()
    expect(page.get_by_role("status")).to_contain_text("The secret of the PagerDuty webhook is set")

    started = deployed + timedelta(minutes=20)
    for kind, at in (("incident.triggered", started), ("incident.resolved", started + timedelta(minutes=40))):
        event = {
            "event": {
                "id": f"pd-{kind}", "event_type": kind, "resource_type": "incident",
                "occurred_at": at.isoformat(),
                "data": {"id": "PINC1", "type": "incident", "title": "Checkout errors after 5d1f8b9",
                         "created_at": started.isoformat(), "urgency": "high", "priority": {"summary": "P2"},
                         "service": {"summary": "checkout-api"}},
            }
        }  # fmt: skip
        body = json.dumps(event).encode()
        signature = "v1=" + hmac.new(b"pagerduty-own-secret-123", body, hashlib.sha256).hexdigest()
        assert _call(pagerduty_url, body, {"X-PagerDuty-Signature": signature}) in (200, 201)

    page.goto("/teams/checkout/delivery/")
    expect(page.get_by_text("1 production deployment in 90 days")).to_be_visible()
    expect(page.get_by_text("1 of 1 deployment needed remediation")).to_be_visible()
    webhooks = page.get_by_role("table", name="Webhooks of this team")
    expect(webhooks).to_contain_text("incident.resolved: stored")
    expect(webhooks).to_contain_text("deployment_status: stored")
    check_page(page)
    screenshot(page, "delivery-connected")

    page.get_by_role("link", name="1 of 1 deployment needed remediation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change fail rate: the records behind it")
    expect(page.get_by_text("caused an incident")).to_be_visible()
    expect(page.get_by_text("caused by: the incident names commit 5d1f8b9")).to_be_visible()
    check_page(page)
    screenshot(page, "delivery-records")


def test_lead_previews_a_rule_change_before_saving_it(page, sign_in, screenshot):
    from django.utils import timezone

    from tests.delivery.factories import DeploymentFactory

    team = TeamFactory(slug="checkout", name="Checkout")
    lead = MembershipFactory(team=team, user=UserFactory(username="lead"), role="lead").user
    DeploymentFactory(team=team, environment="prod-eu", deployed_at=timezone.now() - timedelta(days=1))
    sign_in(page, lead)
    page.goto("/teams/checkout/delivery/")
    expect(page.get_by_text("No production deployments in the last 90 days")).to_be_visible()
    page.get_by_role("link", name="Change the rules, with a dry run first").click()
    page.get_by_label("Production environments").fill("production\nprod-*")
    page.get_by_role("button", name="Preview (dry run)").click()
    dry_run = page.get_by_role("status")
    expect(dry_run).to_contain_text("Dry run: 1 change if you save")
    expect(dry_run).to_contain_text("not production → production")
    check_page(page)
    screenshot(page, "delivery-rules-dry-run")
    page.get_by_role("button", name="Save and apply").click()
    expect(page.get_by_role("status")).to_contain_text("1 change to stored records")
    page.goto("/teams/checkout/delivery/")
    expect(page.get_by_text("1 production deployment in 90 days")).to_be_visible()
