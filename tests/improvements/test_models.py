"""QuerySets of the improvements app: visibility, my actions, flows; the pure board columns."""

from datetime import timedelta

from django.utils import timezone

from improvements import flow
from improvements.board import board_columns
from improvements.models import Action, stage_labels
from tests.factories import MembershipFactory


def test_visible_to_follows_team_visibility(team, member, manager, outsider, staff, new_action):
    action = new_action()
    assert list(Action.objects.visible_to(member)) == [action]
    assert list(Action.objects.visible_to(manager)) == [action]
    assert list(Action.objects.visible_to(staff)) == [action]
    assert not Action.objects.visible_to(outsider).exists()


def test_mine_lists_my_open_actions_overdue_first_then_by_due_date(team, member, lead, new_action):
    today = timezone.localdate()
    later = new_action("Later", due_date=today + timedelta(days=20))
    undated = new_action("Undated")
    new_action("Soon", due_date=today + timedelta(days=2))
    late = new_action("Late", due_date=today + timedelta(days=1))
    Action.objects.filter(pk=late.pk).update(due_date=today - timedelta(days=3))
    new_action("Finished", stage="done")
    new_action("Dropped", stage="dropped")
    new_action("Someone else's", owner=lead)
    assert [a.title for a in Action.objects.mine(member)] == ["Late", "Soon", "Later", "Undated"]
    assert [later, undated] == list(Action.objects.mine(member))[2:]
    assert [a.title for a in Action.objects.mine(lead)] == ["Someone else's"]


def test_mine_leaves_out_teams_i_can_no_longer_see(team, member, new_action):
    new_action("Old team's")
    member.memberships.all().delete()
    assert not Action.objects.mine(member).exists()


def test_flows_carry_each_actions_moves_in_order(team, member, new_action):
    action = new_action(stage="check")
    other = new_action("Fresh")
    flows = {f.id: f for f in Action.objects.filter(team=team).flows()}
    assert [m.to_stage for m in flows[action.pk].moves] == ["plan", "do", "check"]
    assert flows[action.pk].stage == "check"
    assert [m.to_stage for m in flows[other.pk].moves] == ["plan"]


def test_flows_of_no_actions(db):
    assert Action.objects.none().flows() == []


def test_overdue_queryset_and_property(team, member, new_action):
    action = new_action(due_date=timezone.localdate() + timedelta(days=1))
    assert not action.is_overdue and not Action.objects.overdue().exists()
    Action.objects.filter(pk=action.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    assert Action.objects.get(pk=action.pk).is_overdue
    assert list(Action.objects.overdue()) == [action]


def test_next_stage_is_the_usual_next_step(new_action):
    assert new_action().next_stage == "do"
    assert new_action("x", stage="act").next_stage == "done"


def test_board_columns_group_cards_with_count_limit_and_fullness():
    class Card:
        def __init__(self, stage):
            self.stage = stage

    cards = [Card("do"), Card("do"), Card("do"), Card("plan"), Card("act")]
    columns = board_columns(cards, limits={"do": 3, "act": None, "plan": 1}, labels=stage_labels())
    by_stage = {c.stage: c for c in columns}
    assert [c.stage for c in columns] == list(flow.STAGES)
    assert (by_stage["do"].count, by_stage["do"].full, by_stage["do"].over, by_stage["do"].free) == (
        3,
        True,
        False,
        0,
    )
    assert by_stage["plan"].full and not by_stage["plan"].over
    assert (by_stage["act"].full, by_stage["act"].free) == (False, None)
    assert by_stage["done"].label == "Done" and by_stage["done"].count == 0


def test_a_column_over_its_lowered_limit_says_so():
    class Card:
        stage = "check"

    [_plan, _do, check, *_] = board_columns([Card(), Card()], limits={"check": 1}, labels=stage_labels())
    assert check.over and check.full


def test_every_member_of_the_team_may_own(team, member, new_action):
    colleague = MembershipFactory(team=team).user
    assert new_action(owner=colleague).owner == colleague
