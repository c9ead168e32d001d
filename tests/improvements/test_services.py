"""action_create, action_move and wip_limits_set: allowed moves, refusals, recorded history."""

import pytest
from django.core.exceptions import ValidationError

from improvements import services
from improvements.models import Action, StageChange, WipLimit
from tests.factories import MembershipFactory, UserFactory


def test_create_puts_the_action_in_plan_and_records_its_creation(team, member, lead):
    action = services.action_create(team=team, title="Canary every release", by=member, owner=lead)
    assert action.stage == "plan" and action.owner == lead and action.created_by == member
    change = StageChange.objects.get(action=action)
    assert (change.from_stage, change.to_stage, change.by) == ("", "plan", member)
    assert action.history.count() == 1


def test_create_refuses_an_owner_outside_the_team(team, member, outsider):
    with pytest.raises(ValidationError):
        services.action_create(team=team, title="X", by=member, owner=outsider)
    assert not Action.objects.exists()


def test_create_refuses_when_plan_is_full(team, member, new_action):
    services.wip_limits_set(team=team, limits={"plan": 1})
    new_action("First")
    with pytest.raises(services.ColumnFull, match="Plan is full: its WIP limit is 1"):
        new_action("Second")
    assert Action.objects.count() == 1 and StageChange.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "final"),
    [
        (["do", "check", "act", "done"], "done"),
        (["do", "plan"], "plan"),  # back to the backlog
        (["dropped", "plan"], "plan"),  # taken up again
        (["do", "check", "do"], "do"),  # check said: try again
        (["do", "check", "act", "done", "act"], "act"),  # reopened
        (["done"], "done"),  # straight to done
    ],
)
def test_allowed_moves(team, member, new_action, path, final):
    action = new_action()
    for stage in path:
        services.action_move(action=action, stage=stage, by=member)
    action.refresh_from_db()
    assert action.stage == final
    assert list(StageChange.objects.filter(action=action).values_list("to_stage", flat=True)) == [
        "plan",
        *path,
    ]


def test_every_move_is_recorded_with_who_when_from_and_to(team, member, lead, new_action):
    action = new_action()
    services.action_move(action=action, stage="do", by=lead)
    change = StageChange.objects.filter(action=action).latest("at", "pk")
    assert (change.from_stage, change.to_stage, change.by) == ("plan", "do", lead)
    action.refresh_from_db()
    assert action.stage_changed_at == change.at
    # django-simple-history keeps the action's versions too: created, then moved.
    assert list(action.history.order_by("history_date").values_list("stage", flat=True)) == ["plan", "do"]


def test_move_into_a_full_column_is_refused_and_changes_nothing(team, member, new_action):
    for n in range(3):
        new_action(f"Busy {n}", stage="do")
    waiting = new_action("Waiting")
    before = StageChange.objects.count()
    with pytest.raises(services.ColumnFull) as refused:
        services.action_move(action=waiting, stage="do", by=member)
    assert "Do is full: its WIP limit is 3" in refused.value.message
    waiting.refresh_from_db()
    assert waiting.stage == "plan"
    assert StageChange.objects.count() == before
    assert waiting.history.count() == 1


def test_the_limit_counts_only_this_teams_column(team, other_team, member, new_action):
    outsider = MembershipFactory(team=other_team).user
    for n in range(3):
        action = services.action_create(team=other_team, title=f"Theirs {n}", by=outsider, owner=outsider)
        services.action_move(action=action, stage="do", by=outsider)
    mine = new_action()
    services.action_move(action=mine, stage="do", by=member)
    assert Action.objects.get(pk=mine.pk).stage == "do"


def test_no_limit_once_the_lead_clears_it(team, member, new_action):
    services.wip_limits_set(team=team, limits={"do": None})
    for n in range(5):
        new_action(f"Busy {n}", stage="do")
    assert Action.objects.filter(stage="do").count() == 5


def test_done_and_dropped_have_no_limit(team, member, new_action):
    for n in range(6):
        new_action(f"Finished {n}", stage="done")
    assert Action.objects.filter(stage="done").count() == 6


def test_unknown_stage_is_refused(team, member, new_action):
    action = new_action()
    with pytest.raises(services.MoveRefused, match="“doing” is not a stage"):
        services.action_move(action=action, stage="doing", by=member)
    assert Action.objects.get(pk=action.pk).stage == "plan"


def test_moving_into_the_same_stage_is_refused(team, member, new_action):
    action = new_action()
    with pytest.raises(services.MoveRefused, match="already in Plan"):
        services.action_move(action=action, stage="plan", by=member)
    assert StageChange.objects.filter(action=action).count() == 1


def test_a_stale_card_is_read_again_before_moving(team, member, new_action):
    action = new_action()
    stale = Action.objects.get(pk=action.pk)
    services.action_move(action=action, stage="do", by=member)
    services.action_move(action=stale, stage="check", by=member)
    change = StageChange.objects.filter(action=action).latest("at", "pk")
    assert (change.from_stage, change.to_stage) == ("do", "check")


def test_wip_limits_are_stored_per_team_and_stage(team, other_team):
    assert WipLimit.objects.for_team(team) == {"plan": None, "do": 3, "check": None, "act": None}
    services.wip_limits_set(team=team, limits={"plan": 5, "do": 2, "check": None, "act": 1})
    services.wip_limits_set(team=team, limits={"do": 4})
    assert WipLimit.objects.for_team(team) == {"plan": 5, "do": 4, "check": None, "act": 1}
    assert WipLimit.objects.for_team(other_team)["do"] == 3


def test_wip_limits_refuse_closed_stages(team):
    with pytest.raises(ValidationError):
        services.wip_limits_set(team=team, limits={"done": 2})
    assert not WipLimit.objects.exists()


def test_owner_must_be_a_member_in_model_validation(team, member):
    action = Action(team=team, title="X", owner=UserFactory())
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "owner" in error.value.message_dict
