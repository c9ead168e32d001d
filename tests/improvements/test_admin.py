"""Admin for actions: filters, inlines, a read-only stage, creation recorded."""

from datetime import timedelta

from django.utils import timezone

from improvements.models import Action, Experiment, StageChange

CHANGELIST = "/admin/improvements/action/"


def titles(response) -> set[str]:
    return {action.title for action in response.context["cl"].result_list}


def test_changelist_filters_by_team_stage_owner_and_overdue(client_for, staff, team, lead, new_action):
    new_action("Planned")
    new_action("Busy", stage="do", owner=lead)
    late = new_action("Late")
    Action.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    client = client_for(staff)
    assert titles(client.get(CHANGELIST)) == {"Planned", "Busy", "Late"}
    assert titles(client.get(CHANGELIST, {"stage": "do"})) == {"Busy"}
    assert titles(client.get(CHANGELIST, {"owner__id__exact": lead.pk})) == {"Busy"}
    assert titles(client.get(CHANGELIST, {"team__id__exact": team.pk})) == {"Planned", "Busy", "Late"}
    assert titles(client.get(CHANGELIST, {"overdue": "yes"})) == {"Late"}
    assert titles(client.get(CHANGELIST, {"overdue": "no"})) == {"Planned", "Busy"}


def test_change_page_shows_experiments_and_stage_changes_inline(client_for, staff, new_action):
    action = new_action(stage="do")
    Experiment.objects.create(action=action, step="Pair on it", expected="Less waiting")
    response = client_for(staff).get(f"/admin/improvements/action/{action.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "experiments-TOTAL_FORMS" in content and "Pair on it" in content
    assert "stage_changes-TOTAL_FORMS" in content
    # The stage is read-only: moves go through the board.
    assert 'name="stage"' not in content


def test_adding_in_the_admin_records_the_creation(client_for, staff, team, member):
    response = client_for(staff).post(
        "/admin/improvements/action/add/",
        {
            "team": team.pk,
            "title": "From the admin",
            "owner": member.pk,
            "experiments-TOTAL_FORMS": "0",
            "experiments-INITIAL_FORMS": "0",
            "stage_changes-TOTAL_FORMS": "0",
            "stage_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    action = Action.objects.get()
    assert action.stage == "plan" and action.created_by == staff
    assert StageChange.objects.filter(action=action, from_stage="", to_stage="plan", by=staff).exists()


def test_admin_refuses_an_owner_outside_the_team(client_for, staff, team, outsider):
    response = client_for(staff).post(
        "/admin/improvements/action/add/",
        {
            "team": team.pk,
            "title": "Wrong owner",
            "owner": outsider.pk,
            "experiments-TOTAL_FORMS": "0",
            "experiments-INITIAL_FORMS": "0",
            "stage_changes-TOTAL_FORMS": "0",
            "stage_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "The owner must be a member of the team." in response.content.decode()
    assert not Action.objects.exists()


def test_history_page_lists_versions(client_for, staff, new_action):
    action = new_action(stage="do")
    response = client_for(staff).get(f"/admin/improvements/action/{action.pk}/history/")
    assert response.status_code == 200
