from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from teams.models import Group, GroupLead, Membership, Team


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions", "admin", "axes"}
    }


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())


def test_seed_demo_refuses_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo")
    assert not Team.objects.exists()


def test_seed_demo_creates_the_demo_organisation(seeded):
    user_model = get_user_model()
    admin = user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("gemba-demo")
    assert Group.objects.count() >= 3
    assert Team.objects.count() >= 12
    for team in Team.objects.all():
        assert 4 <= team.memberships.count() <= 9, team
        assert team.memberships.filter(role=Membership.Role.LEAD).exists()
    assert Membership.objects.get(user__username="lead", team__slug="checkout").role == "lead"
    assert Membership.objects.get(user__username="member", team__slug="checkout").role == "member"
    assert GroupLead.objects.filter(user__username="manager").exists()


def test_seed_demo_twice_changes_nothing(seeded, settings):
    before = row_counts()
    call_command("seed_demo", stdout=StringIO())
    assert row_counts() == before


@pytest.mark.parametrize("username", ["admin", "manager", "lead", "member"])
def test_demo_accounts_sign_in(seeded, client, username):
    response = client.post("/accounts/login/", {"username": username, "password": "gemba-demo"})
    assert response.status_code == 302


def test_seed_demo_has_six_closed_rounds_and_an_open_one_member_has_not_answered(seeded):
    from assessments.models import Participation, Round, TeamScore
    from assessments.surveys import survey_slots

    assert Round.objects.scored().count() == 6
    assert Round.objects.open().count() == 1
    member = get_user_model().objects.get(username="member")
    slots = survey_slots(member)
    assert [(slot.team.slug, slot.state) for slot in slots] == [("checkout", "new")]
    assert not Participation.objects.filter(user=member, round__in=Round.objects.open()).exists()
    assert TeamScore.objects.filter(hidden=True).count() == 1
    checkout = list(
        TeamScore.objects.history(Team.objects.get(slug="checkout")).values_list("index", flat=True)
    )
    assert checkout[-1] > checkout[0]
    support = list(
        TeamScore.objects.history(Team.objects.get(slug="support-tools")).values_list("index", flat=True)
    )
    assert support[-1] < support[0]
