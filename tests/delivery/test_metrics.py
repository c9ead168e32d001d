"""Reading the keys of teams: few queries, visible teams only, per month and for the window."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from delivery import dora
from delivery.ingest import rules_change
from delivery.metrics import team_delivery, teams_performance
from delivery.models import DeliveryRules
from teams.models import Team
from tests.delivery.factories import DeploymentFactory, IncidentFactory
from tests.factories import TeamFactory

NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)


def daily_deployments(team, days, **fields):
    return [
        DeploymentFactory(team=team, deployed_at=NOW - timedelta(days=day, hours=3), **fields) for day in days
    ]


def test_team_delivery_has_the_window_and_twelve_months(team):
    daily_deployments(team, range(0, 360, 2))
    delivery = team_delivery(team, now=NOW)
    assert delivery.window_days == 90
    assert delivery.window.deployments == 45
    assert len(delivery.months) == 12
    assert delivery.months[-1].period.end == NOW
    first_month = delivery.months[0].period.start
    in_months = sum(month.deployments for month in delivery.months)
    assert in_months == len(
        [day for day in range(0, 360, 2) if NOW - timedelta(days=day, hours=3) >= first_month]
    )
    assert delivery.performance is not None


def test_only_production_by_the_rules_counts(team, lead):
    now = timezone.now()
    for day in range(10):
        DeploymentFactory(team=team, deployed_at=now - timedelta(days=day, hours=3), environment="staging")
    for day in range(3):
        DeploymentFactory(team=team, deployed_at=now - timedelta(days=day, hours=3))
    assert team_delivery(team, now=now).window.deployments == 3
    # The team's rules say staging is production too: applying them moves the ten.
    rules = DeliveryRules(team=team, production="production\nstag*")
    moves = rules_change(team=team, stored=rules, routes=[], by=lead)
    assert len(moves) == 10 and all(m.change == "not production → production" for m in moves)
    assert team_delivery(team, now=now).window.deployments == 13


def test_incident_caused_by_an_older_deployment_is_seen(team):
    (deployment,) = daily_deployments(team, [89])
    IncidentFactory(team=team, caused_by=deployment, started_at=NOW - timedelta(days=80), resolved_at=None)
    keys = team_delivery(team, now=NOW).window
    assert keys.change_failures == 1 and keys.unrecovered == 1


def test_each_service_has_its_own_keys(team):
    daily_deployments(team, range(0, 30), service="api")
    (web,) = daily_deployments(team, [5], service="web")
    IncidentFactory(team=team, caused_by=web, started_at=web.deployed_at + timedelta(minutes=5))
    services = {row.service: row.keys for row in team_delivery(team, now=NOW).services}
    assert services["api"].deployments == 30 and services["api"].change_failures == 0
    assert services["web"].deployments == 1 and services["web"].change_failures == 1


def test_teams_performance_scores_each_team_in_few_queries(team, other_team, django_assert_max_num_queries):
    daily_deployments(team, range(0, 90))
    slow = daily_deployments(other_team, range(0, 90, 10))
    for deployment in slow:  # each one needed remediation
        IncidentFactory(team=other_team, caused_by=deployment, started_at=deployment.deployed_at)
    idle = TeamFactory(name="Idle")
    with django_assert_max_num_queries(3):
        result = teams_performance(Team.objects.order_by("name"), now=NOW)
    by_slug = {p.slug: p for p in result}
    assert [p.name for p in result] == ["Checkout", "Idle", "Ledger"]
    assert by_slug["checkout"].score > by_slug["ledger"].score
    assert by_slug["checkout"].level in {dora.Level.ELITE, dora.Level.HIGH}
    assert (by_slug[idle.slug].score, by_slug[idle.slug].level, by_slug[idle.slug].deployments) == (
        None,
        None,
        0,
    )


def test_teams_performance_of_what_a_person_may_see(team, other_team, member):
    daily_deployments(team, range(5))
    daily_deployments(other_team, range(5))
    assert [p.slug for p in teams_performance(Team.objects.visible_to(member))] == ["checkout"]


@pytest.mark.parametrize("days", [7, 90, 365])
def test_window_length(team, days):
    keys = team_delivery(team, now=timezone.now(), window_days=days).window
    assert keys.period.days == pytest.approx(days)
