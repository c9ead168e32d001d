"""/teams/<slug>/delivery/: the delivery panel for whoever may see the team; tokens and import for leads."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from delivery.models import WebhookDelivery
from delivery.services import webhook_create
from tests.delivery.factories import ApiTokenFactory, DeploymentFactory, IncidentFactory
from tests.factories import MembershipFactory, TeamFactory

URL = "/teams/checkout/delivery/"


@pytest.fixture
def history(team):
    now = timezone.now()
    for day in range(0, 300, 3):
        deployment = DeploymentFactory(
            team=team,
            deployed_at=now - timedelta(days=day, hours=2),
            status="failure" if day % 30 == 0 else "success",
            is_rework=day % 45 == 0,
        )
        if day % 21 == 0:
            IncidentFactory(
                team=team, caused_by=deployment, started_at=deployment.deployed_at + timedelta(minutes=9)
            )
    IncidentFactory(team=team, started_at=now - timedelta(hours=1), resolved_at=None)


def test_anonymous_is_sent_to_login(client, team):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_outsider_gets_404(client_for, outsider, team):
    assert client_for(outsider).get(URL).status_code == 404


def test_unknown_team_is_404(client_for, member):
    assert client_for(member).get("/teams/nope/delivery/").status_code == 404


def test_post_is_405(client_for, member):
    assert client_for(member).post(URL).status_code == 405


def test_member_sees_the_keys_with_counts_and_level_but_no_token_management(client_for, member, history):
    response = client_for(member).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    keys = response.context["delivery"].window
    assert f"{keys.deployments} production deployments in 90 days" in html
    assert f"{keys.failed_attempts} failed attempt" in html  # shown apart, not counted
    assert "Level: " in html
    assert "median from commit to production, over" in html
    assert f"{keys.change_failures} of {keys.deployments} deployments needed remediation" in html
    assert "1 still open" in html
    assert "Accelerate State of DevOps Report 2024" in html
    assert "Throughput" in html and "Instability" in html
    # Every number opens the records behind it.
    for key in ["deployment_frequency", "change_lead_time", "change_fail_rate", "deployment_rework_rate"]:
        assert f"/teams/checkout/delivery/records/?key={key}&amp;days=90" in html
    assert "API tokens" not in html
    assert "Connect your pipeline" not in html
    assert "/teams/checkout/delivery/import/" not in html
    assert response.context["tokens"] == []


@pytest.mark.parametrize("persona", ["lead", "manager", "staff"])
def test_leads_see_webhooks_rules_tokens_and_the_import_link(client_for, request, persona, team):
    ApiTokenFactory(team=team, name="GitHub Actions")
    html = client_for(request.getfixturevalue(persona)).get(URL).content.decode()
    assert "Connect your pipeline and incident tool" in html
    assert 'action="/teams/checkout/delivery/webhooks/"' in html
    assert 'href="/teams/checkout/delivery/rules/"' in html
    assert "API tokens" in html
    assert "GitHub Actions" in html
    assert 'action="/teams/checkout/delivery/tokens/"' in html
    assert 'href="/teams/checkout/delivery/import/"' in html


def test_a_team_without_deployments_says_so(client_for, member):
    html = client_for(member).get(URL).content.decode()
    assert "No production deployments in the last 90 days, so there is no level yet." in html


def test_page_shows_four_trend_charts_with_data_tables_and_no_script(client_for, member, history):
    html = client_for(member).get(URL).content.decode()
    assert html.count('<figure class="chart"') == 4
    assert html.count('<div class="visually-hidden"><table class="chart-data">') == 4
    assert "<script>" not in html
    assert re.search(r'<style nonce="[^"]+"', html)
    assert "style=" not in re.sub(r"<svg.*?</svg>", "", html, flags=re.S)


def test_delivery_page_query_count_does_not_grow_with_history(
    client_for, lead, team, history, django_assert_max_num_queries
):
    for other in TeamFactory.create_batch(3, group=team.group):
        MembershipFactory(team=other, user=lead)
        DeploymentFactory.create_batch(5, team=other)
    ApiTokenFactory.create_batch(3, team=team)
    for provider in ["github", "pagerduty", "gitlab"]:
        webhook, secret = webhook_create(team=team, provider=provider)
        WebhookDelivery.objects.create(webhook=webhook, delivery_id="d1", event="ping", outcome="ignored")
    client = client_for(lead)
    # Session, user, team, lead check, deployments, incidents, rules, tokens, webhooks with their
    # last delivery.
    with django_assert_max_num_queries(11):
        assert client.get(URL).status_code == 200
