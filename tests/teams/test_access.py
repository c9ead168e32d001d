import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from teams.access import can_lead, leads_anything, role_in, team_for_lead, team_for_member, team_for_user
from teams.models import Team


@pytest.mark.parametrize("persona", ["member", "lead", "manager", "staff"])
def test_team_is_visible_to_its_people(persona, request, team):
    user = request.getfixturevalue(persona)
    assert team_for_user(user, "checkout") == team


def test_outsider_gets_404(outsider, team):
    with pytest.raises(Http404):
        team_for_user(outsider, "checkout")


def test_anonymous_sees_no_team(team):
    from django.contrib.auth.models import AnonymousUser

    assert not Team.objects.visible_to(AnonymousUser()).exists()


def test_member_cannot_lead_gets_403(member, team):
    with pytest.raises(PermissionDenied):
        team_for_lead(member, "checkout")


@pytest.mark.parametrize("persona", ["lead", "manager", "staff"])
def test_leads_group_managers_and_staff_run_the_team(persona, request, team):
    user = request.getfixturevalue(persona)
    assert team_for_lead(user, "checkout") == team
    assert can_lead(user, team)
    assert leads_anything(user)


def test_outsider_asking_to_lead_gets_404_not_403(outsider, team):
    with pytest.raises(Http404):
        team_for_lead(outsider, "checkout")


def test_group_manager_is_not_a_member(manager, team):
    with pytest.raises(Http404):
        team_for_member(manager, "checkout")
    assert role_in(manager, team) is None


def test_roles(member, lead, team):
    assert role_in(member, team) == "member"
    assert role_in(lead, team) == "lead"
    assert not leads_anything(member)


def test_manager_does_not_see_teams_of_other_groups(manager, other_team):
    assert not Team.objects.visible_to(manager).filter(pk=other_team.pk).exists()
    assert not Team.objects.led_by(manager).filter(pk=other_team.pk).exists()
