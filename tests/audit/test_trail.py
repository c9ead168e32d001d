"""The staff audit trail: rounds, models, tokens (actions once moved) — never answers."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories import answer_all, make_model, make_round


def events(action):
    return list(AuditEvent.objects.filter(action=action).values_list("actor_name", "subject", "details"))


def test_round_created_and_closed_by_a_lead(client_for, lead, team):
    model = make_model(points=5)
    client = client_for(lead)
    now = timezone.localtime()
    client.post(
        "/rounds/",
        {
            "name": "Audit me",
            "model": model.pk,
            "teams": [team.pk],
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "k": 3,
            "k_detail": 5,
        },
    )
    assert events(AuditEvent.Action.ROUND_CREATED) == [("lead", "Audit me", {"teams": ["checkout"]})]
    round_id = AuditEvent.objects.get().subject_id
    client.post(f"/rounds/{round_id}/close/")
    assert events(AuditEvent.Action.ROUND_CLOSED) == [("lead", "Audit me", {"early": True})]


def test_round_closed_by_its_date_is_recorded_as_system(team):
    from assessments.services import rounds_close_due

    make_round(model=make_model(points=5), teams=[team], state="past", name="By date")
    rounds_close_due()
    assert events(AuditEvent.Action.ROUND_CLOSED) == [("system", "By date", {"early": False})]


def test_model_copy_and_admin_change_are_recorded(client_for, staff):
    model = make_model(points=5)
    client = client_for(staff)
    client.post(
        reverse("admin:assessments_maturitymodel_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [model.pk]},
    )
    assert events(AuditEvent.Action.MODEL_COPIED)[0][:2] == ("admin", "Small v2")


def test_tokens_created_and_revoked_are_recorded(lead, team):
    from delivery.services import api_token_create, api_token_revoke

    token, _raw = api_token_create(team=team, name="ci", by=lead)
    api_token_revoke(token=token, by=lead)
    api_token_revoke(token=token, by=lead)  # again: no second event
    assert [e[0] for e in events(AuditEvent.Action.TOKEN_CREATED)] == ["lead"]
    assert [e[0] for e in events(AuditEvent.Action.TOKEN_REVOKED)] == ["lead"]


def test_taking_a_survey_leaves_no_trace_in_the_trail(member, team):
    round_ = make_round(model=make_model(points=5), teams=[team])
    answer_all(round_, team, member, "4")
    assert not AuditEvent.objects.exists()


def test_trail_is_read_only_for_staff_and_closed_to_others(client_for, staff, member, team):
    from delivery.services import api_token_create

    api_token_create(team=team, name="ci", by=staff)
    client = client_for(staff)
    page = client.get(reverse("admin:audit_auditevent_changelist"))
    assert page.status_code == 200 and "API token created" in page.content.decode()
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client_for(member).get(reverse("admin:audit_auditevent_changelist")).status_code == 302


def test_deleting_the_actor_keeps_their_name(lead, team):
    from delivery.services import api_token_create

    api_token_create(team=team, name="ci", by=lead)
    lead.delete()
    event = AuditEvent.objects.get()
    assert event.actor is None and event.actor_name == "lead"


def test_action_moves_are_in_the_actions_own_history_not_the_audit_trail(member, team):
    from improvements.models import Action
    from improvements.services import action_move

    action = Action.objects.create(team=team, title="Smaller batches", owner=member)
    action_move(action=action, stage="do", by=member)
    moves = action.stage_changes.order_by("at", "pk").values_list("from_stage", "to_stage", "by__username")
    assert list(moves) == [("", "plan", None), ("plan", "do", "member")]
    assert events(AuditEvent.Action.ACTION_MOVED) == []
