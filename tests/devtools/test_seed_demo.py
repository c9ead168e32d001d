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


# --- seed_demo --scale enterprise, at a tiny scale ----------------------------------------------


@pytest.fixture
def enterprise(db, settings, tiny_scale):
    settings.DEBUG = True
    err = StringIO()
    call_command("seed_demo", scale="enterprise", stdout=StringIO(), stderr=err)
    return err.getvalue()


def test_enterprise_seed_builds_the_organisation_with_the_demo_accounts(enterprise, tiny_scale):
    assert Group.objects.count() == 2
    assert Team.objects.count() == 4
    first = Team.objects.order_by("group__slug", "slug").first()
    assert Membership.objects.get(user__username="lead", team=first).role == Membership.Role.LEAD
    assert Membership.objects.get(user__username="member", team=first).role == Membership.Role.MEMBER
    assert GroupLead.objects.get(user__username="manager").group == first.group
    for team in Team.objects.all():
        assert team.memberships.count() == 6
        assert team.memberships.filter(role=Membership.Role.LEAD).count() == 1
    assert get_user_model().objects.get(username="lead").check_password("gemba-demo")


def test_enterprise_rounds_are_answered_like_real_submits_and_left_as_round_close_leaves_them(enterprise):
    from assessments.models import Answer, Participation, Question, Response, Round, TeamScore
    from assessments.services import respondent_key

    assert Round.objects.scored().count() == 2
    assert Round.objects.open().count() == 1
    questions = Question.objects.filter(dimension__model__rounds__isnull=False).distinct().count()
    for round_ in Round.objects.all():
        assert round_.teams.count() == 4
        for team in Team.objects.all():
            responses = Response.objects.filter(round=round_, team=team)
            assert responses.count() == Participation.objects.filter(round=round_, team=team).count() >= 3
            assert set(responses.values_list("status", flat=True)) == {"submitted"}
            # In the open round each response belongs to one participant through the keyed hash, as
            # a submit makes it; closed rounds have no keys, as after round_close.
            keys = {
                respondent_key(user_id=user_id, round_id=round_.pk, team_id=team.pk)
                for user_id in Participation.objects.filter(round=round_, team=team).values_list(
                    "user", flat=True
                )
            }
            stored = set(responses.values_list("respondent_key", flat=True))
            assert stored == (keys if round_.is_open else {None})
    assert Answer.objects.count() == Response.objects.count() * questions
    scored = TeamScore.objects.filter(round__in=Round.objects.scored())
    assert scored.count() == 8 and not scored.filter(hidden=True).exists()


def test_enterprise_member_has_a_survey_waiting(enterprise):
    from assessments.surveys import survey_slots

    member = get_user_model().objects.get(username="member")
    assert [slot.state for slot in survey_slots(member)] == ["new"]


def test_enterprise_delivery_history(enterprise):
    from delivery.models import DeliveryVersion, Deployment, Incident

    assert 290 <= Deployment.objects.count() <= 310
    assert Incident.objects.filter(caused_by__isnull=False).exists()
    assert DeliveryVersion.objects.count() == 4


def test_enterprise_actions_with_their_histories(enterprise):
    from improvements.models import Action, Experiment, StageChange

    assert 30 <= Action.objects.count() <= 60
    assert Action.history.filter(history_type="+").count() == Action.objects.count()
    assert StageChange.objects.count() >= Action.objects.count()
    assert Experiment.objects.exists()
    assert Action.objects.filter(stage="done").exists() and Action.objects.filter(stage="plan").exists()


def test_enterprise_seed_shows_a_progress_bar(enterprise):
    assert "\r[" in enterprise and "100%" in enterprise and "round 3/3" in enterprise
    # Redrawn in place: one line for the whole bar, ended once.
    assert enterprise.count("\n") == 1 and enterprise.endswith("\n")


def test_enterprise_seed_twice_changes_nothing(enterprise, settings):
    before = row_counts()
    out = StringIO()
    call_command("seed_demo", scale="enterprise", stdout=out, stderr=StringIO())
    assert "already here" in out.getvalue()
    assert row_counts() == before


def test_enterprise_seed_refuses_a_database_with_other_data(seeded, tiny_scale):
    with pytest.raises(CommandError, match="empty"):
        call_command("seed_demo", scale="enterprise", stdout=StringIO(), stderr=StringIO())


def test_enterprise_seed_refuses_with_debug_off(db, settings, tiny_scale):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo", scale="enterprise")
    assert not Team.objects.exists()


def _names_say_no_status():
    from assessments.models import Round

    names = list(Round.objects.values_list("name", flat=True))
    assert names and not [name for name in names if "open" in name.lower()]


def test_demo_round_names_say_no_status(seeded):
    """A round's status changes (it closes); its name does not, so it never says "(open)"."""
    _names_say_no_status()


def test_enterprise_round_names_say_no_status(enterprise):
    _names_say_no_status()


def test_the_demo_team_sees_one_dimension_in_two_camps(seeded):
    """The demo's latest closed round shows what weak agreement looks like, and nothing else is weak."""
    from assessments import agreement
    from assessments.models import DimensionScore

    latest = DimensionScore.objects.filter(team__slug="checkout").order_by("-round__closes_at").first().round
    bands = {
        score.dimension_key: agreement.band(score.agreement).key
        for score in DimensionScore.objects.filter(team__slug="checkout", round=latest)
    }
    assert bands.pop("security") == "weak"
    assert "weak" not in bands.values()


def test_the_demo_has_an_active_quarterly_schedule_whose_next_round_opens_by_itself(seeded):
    from assessments.models import Round, Schedule

    schedule = Schedule.objects.active().get()
    assert schedule.cadence == "quarterly" and schedule.teams.count() == Team.objects.count()
    (next_round,) = schedule.upcoming(count=1)
    open_round = Round.objects.open().get()
    assert next_round.opens_at > open_round.closes_at  # it follows the demo's open round
