"""Cached delivery keys: reused while nothing changes, never stale once a record arrives or changes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from delivery import metrics
from delivery.models import DeliveryVersion, Deployment
from delivery.schemas import DeploymentIn
from delivery.services import deployment_record, history_import, incident_resolve
from tests.delivery.factories import DeploymentFactory, IncidentFactory


def deployments_in_window(team) -> int:
    return metrics.team_delivery(team).window.deployments


def test_second_read_comes_from_the_cache(team, django_assert_num_queries):
    DeploymentFactory(team=team)
    assert deployments_in_window(team) == 1
    with django_assert_num_queries(1):  # the version only
        assert deployments_in_window(team) == 1


def test_a_reported_deployment_shows_at_once(team):
    DeploymentFactory(team=team)
    assert deployments_in_window(team) == 1
    now = timezone.now()
    deployment_record(
        team=team,
        data=DeploymentIn(
            service="web",
            environment="production",
            deployed_at=now,
            first_commit_at=now - timedelta(hours=1),
            status="success",
            external_id="new-one",
        ),
    )
    assert deployments_in_window(team) == 2


def test_a_resolved_incident_shows_at_once(team):
    deployment = DeploymentFactory(team=team)
    IncidentFactory(team=team, caused_by=deployment, resolved_at=None, external_id="i-1")
    assert metrics.team_delivery(team).window.recovery_samples == 0
    incident_resolve(team=team, external_id="i-1", resolved_at=timezone.now())
    assert metrics.team_delivery(team).window.recovery_samples == 1


def test_a_deleted_deployment_drops_out_at_once(team):
    deployment = DeploymentFactory(team=team)
    assert deployments_in_window(team) == 1
    deployment.delete()  # as the admin does
    assert deployments_in_window(team) == 0


def test_a_history_import_shows_at_once(team):
    assert deployments_in_window(team) == 0
    now = timezone.now()
    row = DeploymentIn(
        service="web",
        environment="production",
        deployed_at=now - timedelta(days=2),
        first_commit_at=now - timedelta(days=3),
        status="success",
        external_id="old-1",
    )
    history_import(team=team, deployments=[(2, row)], incidents=[])
    assert deployments_in_window(team) == 1


def test_bulk_writes_that_bump_the_version_are_seen(team):
    assert deployments_in_window(team) == 0
    Deployment.objects.bulk_create([DeploymentFactory.build(team=team)])
    DeliveryVersion.objects.bump([team.pk])
    assert deployments_in_window(team) == 1


def test_another_teams_deployment_leaves_the_cache_of_this_one(team, other_team, django_assert_num_queries):
    DeploymentFactory(team=team)
    metrics.teams_performance([team, other_team])
    DeploymentFactory(team=other_team)
    # Only the changed team is computed again: its records, its incidents, and the versions.
    with django_assert_num_queries(3):
        performance = metrics.teams_performance([team, other_team])
    assert [p.deployments for p in performance] == [1, 1]


def test_org_scores_follow_a_new_deployment(team, other_team):
    assert [p.deployments for p in metrics.teams_performance([team, other_team])] == [0, 0]
    DeploymentFactory(team=other_team)
    assert [p.deployments for p in metrics.teams_performance([team, other_team])] == [0, 1]


def test_team_renamed_keeps_its_cached_keys_but_shows_its_new_name(team):
    DeploymentFactory(team=team)
    metrics.teams_performance([team])
    team.name = "Basket"
    team.save()
    assert metrics.teams_performance([team])[0].name == "Basket"
    assert metrics.team_delivery(team).team.name == "Basket"


def test_a_rolled_back_write_does_not_change_the_version(team):
    from django.db import transaction

    DeliveryVersion.objects.bump([team.pk])
    before = DeliveryVersion.objects.of([team.pk])
    with pytest.raises(RuntimeError), transaction.atomic():
        DeploymentFactory(team=team)
        raise RuntimeError
    assert DeliveryVersion.objects.of([team.pk]) == before


def test_zero_seconds_switches_the_cache_off(team, settings, django_assert_num_queries):
    settings.GEMBA_DELIVERY_CACHE_SECONDS = 0
    DeploymentFactory(team=team)
    deployments_in_window(team)
    with django_assert_num_queries(3):  # deployments, incidents and the team's rules, no version
        assert deployments_in_window(team) == 1


def test_the_window_edge_lags_by_at_most_one_slot(team, settings, monkeypatch, django_assert_num_queries):
    settings.GEMBA_DELIVERY_CACHE_SECONDS = 300
    clock = [999_900.0]  # the start of a slot
    monkeypatch.setattr(metrics.time, "time", lambda: clock[0])
    deployments_in_window(team)
    clock[0] += 299
    with django_assert_num_queries(1):  # the version only: still this slot's keys
        deployments_in_window(team)
    clock[0] += 1
    with django_assert_num_queries(4):  # the version, then computed anew for the next slot
        deployments_in_window(team)
