"""Demo delivery history: a year per team, idempotent, deterministic, loosely following capability."""

import statistics
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Max, Min

from delivery.demo import CAPABILITY, capability, seed_delivery
from delivery.metrics import teams_performance
from delivery.models import Deployment, Incident
from teams.demo import GROUPS
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


def test_each_team_gets_twelve_months_of_deployments_and_incidents(demo_teams):
    seeded = seed_delivery(demo_teams, now=NOW)
    assert seeded.deployments == Deployment.objects.count() > 12 * 20
    assert seeded.incidents == Incident.objects.count() > 12 * 3
    for team in demo_teams:
        span = Deployment.objects.filter(team=team).aggregate(
            first=Min("deployed_at"), last=Max("deployed_at")
        )
        assert span["first"] < NOW - timedelta(days=300), team.slug
        assert span["last"] > NOW - timedelta(days=40), team.slug
    assert Incident.objects.filter(caused_by__isnull=False).exists()
    assert Incident.objects.filter(caused_by__isnull=True).exists()
    assert (
        Deployment.objects.filter(status="failure").exists()
        and Deployment.objects.filter(is_rework=True).exists()
    )


def test_second_run_creates_nothing(demo_teams):
    seed_delivery(demo_teams, now=NOW)
    counts = (Deployment.objects.count(), Incident.objects.count())
    assert seed_delivery(demo_teams, now=NOW + timedelta(days=1)).deployments == 0
    assert (Deployment.objects.count(), Incident.objects.count()) == counts


def test_history_is_deterministic(demo_teams):
    seed_delivery(demo_teams, now=NOW)
    first = list(
        Deployment.objects.order_by("external_id").values_list("external_id", "deployed_at", "status")
    )
    Incident.objects.all().delete()
    Deployment.objects.all().delete()
    seed_delivery(demo_teams, now=NOW)
    again = list(
        Deployment.objects.order_by("external_id").values_list("external_id", "deployed_at", "status")
    )
    assert again == first


def test_delivery_follows_capability_believably_not_perfectly(demo_teams):
    seed_delivery(demo_teams, now=NOW)
    performances = teams_performance(demo_teams, now=NOW)
    scores = [p.score for p in performances]
    assert all(score is not None for score in scores)
    r = statistics.correlation([capability(p.slug) for p in performances], scores)
    assert 0.5 < r < 0.98
    assert len({p.level for p in performances}) >= 2
