"""Closing the loop: a linked dimension's score in the source round and the next closed round."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Round
from assessments.services import round_close
from improvements import services
from improvements.loop import loop_for
from improvements.models import Action
from tests.factories import MembershipFactory, answer_all, make_model, make_round


@pytest.fixture
def model(db):
    """5-point scale, nothing reverse-scored: every answer "4" gives a mean of 4.00 (index 75)."""
    return make_model(points=5, reverse_last=False)


@pytest.fixture
def respondents(team):
    return [MembershipFactory(team=team).user for _ in range(4)]


def closed_round(model, team, people, value: str, *, days_ago: int, name: str) -> Round:
    """A round of the team that closed ``days_ago`` days ago, answered ``value`` by these people."""
    round_ = make_round(model=model, teams=[team], state="open", name=name)
    for person in people:
        answer_all(round_, team, person, value)
    closes = timezone.now() - timedelta(days=days_ago)
    Round.objects.filter(pk=round_.pk).update(opens_at=closes - timedelta(days=14), closes_at=closes)
    round_.refresh_from_db()
    return round_close(round=round_, now=closes)


def linked_action(team, member, model, source_round, key="dim-1") -> Action:
    return services.action_create(
        team=team,
        title="Improve it",
        by=member,
        owner=member,
        dimension=model.dimensions.get(key=key),
        source_round=source_round,
    )


def test_loop_compares_the_source_round_with_the_next_one(team, member, model, respondents, client_for):
    spring = closed_round(model, team, respondents[:3], "3", days_ago=100, name="Spring")
    summer = closed_round(model, team, respondents, "4", days_ago=10, name="Summer")
    action = linked_action(team, member, model, spring)
    loop = loop_for(action)
    assert (loop.before.round, loop.after.round) == (spring, summer)
    assert (loop.before.score.mean, loop.after.score.mean) == (3.0, 4.0)
    assert (loop.before.state, loop.after.state) == ("scored", "scored")
    assert loop.delta == 1.0 and loop.index_delta == 25.0 and loop.comparable_scale
    content = client_for(member).get(f"/actions/{action.pk}/").content.decode()
    assert "3.00 of 5 (index 50), from 3 responses" in content
    assert "4.00 of 5 (index 75), from 4 responses" in content
    assert "Change: +1.00 points (index +25)" in content
    assert "the score rose" in content


def test_loop_skips_rounds_before_the_source_and_takes_the_very_next(team, member, model, respondents):
    closed_round(model, team, respondents, "2", days_ago=300, name="Old")
    spring = closed_round(model, team, respondents, "4", days_ago=200, name="Spring")
    summer = closed_round(model, team, respondents, "3", days_ago=100, name="Summer")
    closed_round(model, team, respondents, "5", days_ago=10, name="Autumn")
    loop = loop_for(linked_action(team, member, model, spring))
    assert loop.after.round == summer
    assert loop.delta == -1.0 and loop.index_delta == -25.0


def test_next_round_below_k_is_hidden_with_its_count(team, member, model, respondents, client_for):
    spring = closed_round(model, team, respondents, "3", days_ago=100, name="Spring")
    closed_round(model, team, respondents[:2], "5", days_ago=10, name="Summer")
    action = linked_action(team, member, model, spring)
    loop = loop_for(action)
    assert loop.after.state == "hidden" and loop.after.score is None and loop.after.responses == 2
    assert loop.delta is None
    content = client_for(member).get(f"/actions/{action.pk}/").content.decode()
    assert "hidden below the anonymity threshold: 2 responses came in, 3 are needed" in content
    assert "5.00" not in content and "index 100" not in content
    assert "No change can be shown" in content


def test_source_round_below_k_is_hidden_too(team, member, model, respondents, client_for):
    spring = closed_round(model, team, respondents[:1], "1", days_ago=100, name="Spring")
    closed_round(model, team, respondents, "4", days_ago=10, name="Summer")
    action = linked_action(team, member, model, spring)
    assert loop_for(action).before.state == "hidden"
    content = client_for(member).get(f"/actions/{action.pk}/").content.decode()
    assert "hidden below the anonymity threshold: 1 response came in, 3 are needed" in content
    assert "1.00 of 5" not in content


def test_no_closed_round_since_the_source_yet(team, member, model, respondents, client_for):
    spring = closed_round(model, team, respondents, "3", days_ago=10, name="Spring")
    make_round(model=model, teams=[team], state="open", name="Running")
    action = linked_action(team, member, model, spring)
    assert loop_for(action).after is None
    content = client_for(member).get(f"/actions/{action.pk}/").content.decode()
    assert "No round has closed since Spring" in content


def test_without_a_source_round_the_last_round_before_the_action_is_used(team, member, model, respondents):
    spring = closed_round(model, team, respondents, "3", days_ago=100, name="Spring")
    action = services.action_create(
        team=team, title="T", by=member, owner=member, dimension=model.dimensions.get(key="dim-2")
    )
    Action.objects.filter(pk=action.pk).update(created_at=timezone.now() - timedelta(days=50))
    summer = closed_round(model, team, respondents, "4", days_ago=10, name="Summer")
    loop = loop_for(Action.objects.get(pk=action.pk))
    assert (loop.before.round, loop.after.round) == (spring, summer)
    assert loop.dimension_key == "dim-2" and loop.delta == 1.0


def test_without_any_round_there_is_nothing_to_compare(team, member, model, client_for):
    action = services.action_create(
        team=team, title="T", by=member, owner=member, dimension=model.dimensions.get(key="dim-1")
    )
    loop = loop_for(action)
    assert loop.before is None and loop.after is None
    assert (
        "no closed round before this action"
        in client_for(member).get(f"/actions/{action.pk}/").content.decode()
    )


def test_an_action_without_dimension_has_no_loop(team, member, client_for, new_action):
    action = new_action()
    assert loop_for(action) is None
    assert (
        "Link this action to a survey dimension"
        in client_for(member).get(f"/actions/{action.pk}/").content.decode()
    )


def test_loop_follows_the_dimension_key_across_model_versions(team, member, model, respondents):
    spring = closed_round(model, team, respondents, "3", days_ago=100, name="Spring")
    newer = make_model(points=5, reverse_last=False)  # same name: version 2, same keys
    summer = closed_round(newer, team, respondents, "5", days_ago=10, name="Summer")
    loop = loop_for(linked_action(team, member, model, spring))
    assert loop.after.round == summer and loop.after.score.dimension.model == newer
    assert loop.delta == 2.0


def test_different_scales_compare_by_index_only(team, member, model, respondents, client_for):
    spring = closed_round(model, team, respondents, "3", days_ago=100, name="Spring")
    seven = make_model(points=7, reverse_last=False, name="Seven")
    closed_round(seven, team, respondents, "7", days_ago=10, name="Summer")
    action = linked_action(team, member, model, spring)
    loop = loop_for(action)
    assert not loop.comparable_scale and loop.index_delta == 50.0
    content = client_for(member).get(f"/actions/{action.pk}/").content.decode()
    assert "Change: index +50 (the two rounds use different answer scales)" in content


def test_rounds_of_other_teams_do_not_count(team, other_team, member, model, respondents):
    spring = closed_round(model, team, respondents, "3", days_ago=100, name="Spring")
    theirs = [MembershipFactory(team=other_team).user for _ in range(3)]
    closed_round(model, other_team, theirs, "5", days_ago=10, name="Theirs")
    assert loop_for(linked_action(team, member, model, spring)).after is None


def test_action_page_queries_stay_few(
    team, member, model, respondents, client_for, django_assert_max_num_queries
):
    spring = closed_round(model, team, respondents, "3", days_ago=100, name="Spring")
    closed_round(model, team, respondents, "4", days_ago=10, name="Summer")
    action = linked_action(team, member, model, spring)
    client = client_for(member)
    with django_assert_max_num_queries(15):
        assert client.get(f"/actions/{action.pk}/").status_code == 200
