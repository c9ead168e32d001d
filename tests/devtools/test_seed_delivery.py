"""Demo delivery history: a year per team, idempotent, deterministic, loosely following capability."""

import statistics
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Max, Min

from delivery.metrics import teams_performance
from delivery.models import Deployment, Incident, Webhook, WebhookDelivery
from devtools.seeds.delivery import CAPABILITY, capability, seed_delivery
from devtools.seeds.organisation import GROUPS
from tests.factories import GroupFactory, TeamFactory

NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
def demo_teams(db):
    group = GroupFactory()
    return [
        TeamFactory(group=group, slug=slug, name=name) for teams in GROUPS.values() for name, slug, _ in teams
    ]


def test_every_demo_team_has_a_capability():
    assert {slug for teams in GROUPS.values() for _, slug, _ in teams} == set(CAPABILITY)


def test_other_teams_get_a_stable_capability_from_their_slug():
    assert capability("new-team") == capability("new-team")
    assert 0.2 <= capability("new-team") <= 0.9


@pytest.fixture
def payments(db):
    """The demo's Payments group: Checkout (regional production) and Ledger (the low team)."""
    group = GroupFactory(slug="payments", name="Payments")
    return [
        TeamFactory(group=group, slug=slug, name=name)
        for name, slug in [("Checkout", "checkout"), ("Ledger", "ledger")]
    ]


def test_each_team_gets_twelve_months_through_the_webhooks_and_the_rules_place_them(demo_teams):
    seeded = seed_delivery(demo_teams, now=NOW)
    assert seeded.deployments == Deployment.objects.count() > 12 * 20
    assert seeded.incidents == Incident.objects.count() > 12 * 3
    for team in demo_teams:
        span = Deployment.objects.filter(team=team).aggregate(
            first=Min("deployed_at"), last=Max("deployed_at")
        )
        assert span["first"] < NOW - timedelta(days=300), team.slug
        assert span["last"] > NOW - timedelta(days=40), team.slug
    # Everything came as signed GitHub and PagerDuty calls.
    assert set(Deployment.objects.values_list("source", flat=True)) == {"github"}
    assert set(Incident.objects.values_list("source", flat=True)) == {"pagerduty"}
    assert WebhookDelivery.objects.filter(outcome="refused").count() == 0
    # The rules at work: staging is not production; hotfix branches and rollbacks are rework;
    # incidents find their deployment by a commit in the title or as the service's last one.
    assert not Deployment.objects.filter(environment="staging", is_production=True).exists()
    assert Deployment.objects.filter(environment="staging").exists()
    assert Deployment.objects.filter(is_rework=True, placed_by__contains="branch “hotfix/").exists()
    assert Deployment.objects.filter(is_rework=True, placed_by__contains="rollback").exists()
    assert Incident.objects.filter(linked_by__contains="names commit").exists()
    assert Incident.objects.filter(linked_by__contains="last production deployment").exists()
    assert Incident.objects.filter(caused_by__isnull=True).exists()  # the database failovers
    assert Deployment.objects.filter(status="failure").exists()  # failed attempts
    assert not Deployment.objects.filter(is_production=True, first_commit_at__isnull=True).exists()
    # Culture and delivery go together, loosely; one team at elite, one at low.
    performances = teams_performance(demo_teams, now=NOW)
    by_slug = {p.slug: p for p in performances}
    assert by_slug["build-release"].level == "elite"
    assert by_slug["ledger"].level == "low"
    scores = [p.score for p in performances]
    assert all(score is not None for score in scores)
    r = statistics.correlation([capability(p.slug) for p in performances], scores)
    assert 0.4 < r < 0.98


def test_payments_deploys_to_regional_production_by_its_group_rules(payments):
    seed_delivery(payments, now=NOW)
    checkout = Deployment.objects.filter(team__slug="checkout", is_production=True)
    assert set(checkout.values_list("environment", flat=True)) >= {"prod-eu", "prod-us"}
    assert (
        "matches “prod-*” (rules of group Payments)"
        in checkout.exclude(environment="staging").first().placed_by
    )


def test_second_run_creates_nothing(payments):
    seed_delivery(payments, now=NOW)
    counts = (Deployment.objects.count(), Incident.objects.count(), WebhookDelivery.objects.count())
    assert seed_delivery(payments, now=NOW + timedelta(days=1)).deployments == 0
    assert (Deployment.objects.count(), Incident.objects.count(), WebhookDelivery.objects.count()) == counts


def test_history_is_deterministic(payments):
    seed_delivery(payments, now=NOW)
    first = list(
        Deployment.objects.order_by("external_id").values_list("external_id", "deployed_at", "status")
    )
    Incident.objects.all().delete()
    Deployment.objects.all().delete()
    Webhook.objects.all().delete()
    seed_delivery(payments, now=NOW)
    again = list(
        Deployment.objects.order_by("external_id").values_list("external_id", "deployed_at", "status")
    )
    assert again == first
