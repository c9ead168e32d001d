"""My actions on the home page, overdue first; the board link in My teams."""

from datetime import timedelta

from django.utils import timezone

from improvements import services
from improvements.models import Action


def test_home_lists_my_open_actions_overdue_first(client_for, member, team):
    today = timezone.localdate()
    soon = services.action_create(
        team=team, title="Soon", by=member, owner=member, due_date=today + timedelta(days=3)
    )
    late = services.action_create(
        team=team, title="Late", by=member, owner=member, due_date=today + timedelta(days=1)
    )
    Action.objects.filter(pk=late.pk).update(due_date=today - timedelta(days=2))
    done = services.action_create(team=team, title="Finished already", by=member, owner=member)
    services.action_move(action=done, stage="done", by=member)
    response = client_for(member).get("/")
    assert [action.title for action in response.context["my_actions"]] == ["Late", "Soon"]
    content = response.content.decode()
    assert content.index("Late") < content.index("Soon")
    assert "overdue since" in content
    assert f'href="/actions/{soon.pk}/"' in content
    assert "Finished already" not in content


def test_home_without_actions_says_so(client_for, member):
    assert "No open action is yours." in client_for(member).get("/").content.decode()


def test_home_links_each_team_to_its_board(client_for, member):
    assert 'href="/teams/checkout/actions/"' in client_for(member).get("/").content.decode()


def test_home_queries_do_not_grow_with_my_actions(client_for, member, team, django_assert_max_num_queries):
    for n in range(10):
        services.action_create(team=team, title=f"Action {n}", by=member, owner=member)
    client = client_for(member)
    with django_assert_max_num_queries(10):
        client.get("/")
