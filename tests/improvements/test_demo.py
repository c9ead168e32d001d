"""Demo actions: every stage, believable histories, loops that closed, room in checkout's Do."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from improvements import flow
from improvements.loop import loop_for
from improvements.models import Action, Experiment, StageChange, WipLimit
from teams.models import Team


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())


def test_demo_actions_fill_every_stage_with_believable_flow(seeded):
    stages = dict(Action.objects.values_list("stage").annotate(n=Count("pk")))
    assert set(stages) == set(flow.STAGES)
    assert all(Action.objects.filter(team=team).exists() for team in Team.objects.all())
    # Every action has its creation and moves recorded, oldest first, ending in its stage.
    for action_flow in Action.objects.all().flows():
        assert action_flow.moves[0].to_stage == "plan"
        assert action_flow.moves[-1].to_stage == action_flow.stage
        assert [m.at for m in action_flow.moves] == sorted(m.at for m in action_flow.moves)
    assert (
        Experiment.objects.exists() and StageChange.objects.filter(from_stage="check", to_stage="do").exists()
    )
    # No board breaks its own WIP limits.
    for team in Team.objects.all():
        limits = WipLimit.objects.for_team(team)
        for stage, limit in limits.items():
            assert limit is None or Action.objects.filter(team=team, stage=stage).count() <= limit, team
    checkout = Team.objects.get(slug="checkout")
    assert (
        Action.objects.filter(team=checkout, stage="do").count() < WipLimit.objects.for_team(checkout)["do"]
    )
    # Cycle times and throughput over the past rounds.
    summary = flow.summary(Action.objects.filter(team=checkout).flows(), now=timezone.now())
    assert summary.cycle_time.count >= 2 and 5 <= summary.cycle_time.median <= 90
    # Some linked actions were followed by a better score on their dimension.
    improved = [
        loop
        for action in Action.objects.filter(stage="done", dimension__isnull=False, source_round__isnull=False)
        if (loop := loop_for(action)) and loop.delta is not None and loop.delta > 0
    ]
    assert len(improved) >= 10
    # member finds open actions of their own on the home page.
    assert Action.objects.filter(owner__username="member", stage__in=flow.OPEN).count() >= 2
