"""The action page, moves, A3 edits, experiments, WIP limits and the CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from improvements import services
from improvements.models import Action, Experiment, StageChange, WipLimit

BOARD = "/teams/checkout/actions/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- action page -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member", "lead", "manager", "staff"])
def test_team_people_open_the_action_page(persona, request, client_for, new_action):
    action = new_action("Canary every release", current_condition="All at once.", root_cause="No split.")
    response = client_for(request.getfixturevalue(persona)).get(f"/actions/{action.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    for text in (
        "Canary every release",
        "Current condition",
        "All at once.",
        "Target condition",
        "No split.",
    ):
        assert text in content
    assert "Stage history" in content and "created in Plan" in content


def test_action_page_of_another_team_is_404(client_for, outsider, new_action):
    action = new_action()
    client = client_for(outsider)
    assert client.get(f"/actions/{action.pk}/").status_code == 404
    assert client.post(f"/actions/{action.pk}/", {"stage": "do"}).status_code == 404
    assert Action.objects.get(pk=action.pk).stage == "plan"


def test_unknown_action_is_404(client_for, member):
    assert client_for(member).get("/actions/999/").status_code == 404


def test_action_page_refuses_put(client_for, member, new_action):
    assert client_for(member).put(f"/actions/{new_action().pk}/").status_code == 405


def test_action_page_shows_experiments_in_order_and_history(client_for, member, lead, new_action):
    action = new_action(stage="do")
    today = timezone.localdate()
    Experiment.objects.create(action=action, date=today, step="Second step", expected="b")
    Experiment.objects.create(action=action, date=today - timedelta(days=5), step="First step", expected="a")
    services.action_move(action=action, stage="check", by=lead)
    content = client_for(member).get(f"/actions/{action.pk}/").content.decode()
    assert content.index("First step") < content.index("Second step")
    assert "Cycle 1" in content and "Cycle 2" in content
    assert "Plan → Do" in content and "Do → Check" in content
    assert lead.get_full_name() in content


def test_onlookers_see_no_forms_on_the_action_page(client_for, manager, new_action):
    content = client_for(manager).get(f"/actions/{new_action().pk}/").content.decode()
    assert 'name="stage"' not in content and "Record the next experiment" not in content


# --- moves -----------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["/actions/{pk}/", "/actions/{pk}/move/"])
def test_member_moves_a_card_by_posting_its_stage(client_for, member, new_action, address):
    action = new_action()
    response = client_for(member).post(address.format(pk=action.pk), {"stage": "do"})
    assert response.status_code == 302 and response.headers["Location"] == BOARD
    assert Action.objects.get(pk=action.pk).stage == "do"
    change = StageChange.objects.filter(action=action).latest("at", "pk")
    assert (change.from_stage, change.to_stage, change.by) == ("plan", "do", member)
    assert messages_of(response) == ["“Shorter stand-ups” moved to Do."]


def test_lead_moves_too(client_for, lead, new_action):
    action = new_action()
    client_for(lead).post(f"/actions/{action.pk}/move/", {"stage": "dropped"})
    assert Action.objects.get(pk=action.pk).stage == "dropped"


def test_move_returns_to_the_page_it_came_from(client_for, member, new_action):
    action = new_action()
    response = client_for(member).post(
        f"/actions/{action.pk}/move/", {"stage": "do", "next": f"/actions/{action.pk}/"}
    )
    assert response.headers["Location"] == f"/actions/{action.pk}/"


def test_move_never_redirects_off_site(client_for, member, new_action):
    action = new_action()
    response = client_for(member).post(
        f"/actions/{action.pk}/move/", {"stage": "do", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == BOARD


def test_move_into_a_full_column_is_refused_with_the_column_and_its_limit(client_for, member, new_action):
    for n in range(3):
        new_action(f"Busy {n}", stage="do")
    waiting = new_action("Waiting")
    changes = StageChange.objects.count()
    response = client_for(member).post(f"/actions/{waiting.pk}/move/", {"stage": "do"}, follow=True)
    assert response.status_code == 200
    assert (
        "Do is full: its WIP limit is 3. Finish or move an action out of it first."
        in response.content.decode()
    )
    assert Action.objects.get(pk=waiting.pk).stage == "plan"
    assert StageChange.objects.count() == changes


@pytest.mark.parametrize("stage", ["doing", "", "DONE"])
def test_unknown_stage_gets_a_message_not_a_500(client_for, member, new_action, stage):
    action = new_action()
    response = client_for(member).post(f"/actions/{action.pk}/move/", {"stage": stage})
    assert response.status_code == 302
    [message] = messages_of(response)
    assert "stage" in message
    assert Action.objects.get(pk=action.pk).stage == "plan"


def test_move_into_the_same_stage_says_so(client_for, member, new_action):
    action = new_action()
    response = client_for(member).post(f"/actions/{action.pk}/move/", {"stage": "plan"})
    assert messages_of(response) == ["“Shorter stand-ups” is already in Plan."]


def test_outsider_cannot_move(client_for, outsider, new_action):
    action = new_action()
    assert client_for(outsider).post(f"/actions/{action.pk}/move/", {"stage": "do"}).status_code == 404
    assert Action.objects.get(pk=action.pk).stage == "plan"


@pytest.mark.parametrize("persona", ["manager", "staff"])
def test_onlookers_cannot_move(persona, request, client_for, new_action):
    action = new_action()
    client = client_for(request.getfixturevalue(persona))
    assert client.post(f"/actions/{action.pk}/move/", {"stage": "do"}).status_code == 403
    assert client.post(f"/actions/{action.pk}/", {"stage": "do"}).status_code == 403
    assert Action.objects.get(pk=action.pk).stage == "plan"


def test_move_refuses_get(client_for, member, new_action):
    assert client_for(member).get(f"/actions/{new_action().pk}/move/").status_code == 405


def test_anonymous_move_goes_to_login(client, new_action):
    action = new_action()
    response = client.post(f"/actions/{action.pk}/move/", {"stage": "do"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login/")
    assert Action.objects.get(pk=action.pk).stage == "plan"


# --- editing the A3 --------------------------------------------------------------------------


def test_member_edits_the_a3_and_outcome(client_for, member, lead, new_action):
    action = new_action()
    client = client_for(member)
    assert client.get(f"/actions/{action.pk}/edit/").status_code == 200
    response = client.post(
        f"/actions/{action.pk}/edit/",
        {
            "title": "Canary every release",
            "owner": lead.pk,
            "root_cause": "Why? No traffic split.",
            "countermeasure": "Weighted routing.",
            "outcome": "Rollbacks hit 5 % of users.",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/actions/{action.pk}/"
    action.refresh_from_db()
    assert (action.title, action.owner, action.root_cause) == (
        "Canary every release",
        lead,
        "Why? No traffic split.",
    )
    assert action.outcome == "Rollbacks hit 5 % of users."
    assert action.stage == "plan"
    assert action.history.count() == 2


def test_edit_cannot_change_the_stage(client_for, member, new_action):
    action = new_action()
    client_for(member).post(
        f"/actions/{action.pk}/edit/", {"title": "T", "owner": member.pk, "stage": "done"}
    )
    assert Action.objects.get(pk=action.pk).stage == "plan"


def test_edit_with_errors_keeps_everything_and_saves_nothing(client_for, member, outsider, new_action):
    action = new_action()
    response = client_for(member).post(
        f"/actions/{action.pk}/edit/", {"title": "", "owner": outsider.pk, "root_cause": "kept"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "This field is required." in content and "kept" in content
    assert Action.objects.get(pk=action.pk).title == "Shorter stand-ups"


def test_edit_keeps_a_due_date_that_has_passed_but_refuses_a_new_past_one(client_for, member, new_action):
    action = new_action()
    past = timezone.localdate() - timedelta(days=3)
    Action.objects.filter(pk=action.pk).update(due_date=past)
    client = client_for(member)
    response = client.post(
        f"/actions/{action.pk}/edit/", {"title": "T", "owner": member.pk, "due_date": past.isoformat()}
    )
    assert response.status_code == 302
    earlier = (past - timedelta(days=1)).isoformat()
    response = client.post(
        f"/actions/{action.pk}/edit/", {"title": "T", "owner": member.pk, "due_date": earlier}
    )
    assert response.status_code == 400


def test_edit_permissions_and_methods(client_for, outsider, manager, member, new_action):
    action = new_action()
    assert client_for(outsider).get(f"/actions/{action.pk}/edit/").status_code == 404
    assert client_for(manager).get(f"/actions/{action.pk}/edit/").status_code == 403
    assert client_for(member).put(f"/actions/{action.pk}/edit/").status_code == 405


# --- experiments -----------------------------------------------------------------------------


def test_member_records_an_experiment(client_for, member, new_action):
    action = new_action(stage="do")
    response = client_for(member).post(
        f"/actions/{action.pk}/experiments/",
        {
            "date": "2026-03-02",
            "step": "Split the test suite in four.",
            "expected": "Pipeline under 15 minutes.",
        },
    )
    experiment = Experiment.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/actions/{action.pk}/#experiment-{experiment.pk}"
    assert (experiment.action, experiment.created_by, experiment.happened) == (action, member, "")


def test_experiment_with_errors_rerenders_the_page(client_for, member, new_action):
    action = new_action()
    response = client_for(member).post(
        f"/actions/{action.pk}/experiments/", {"date": "yesterday", "step": "x"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter a valid date." in content and "This field is required." in content
    assert not Experiment.objects.exists()


def test_experiment_is_completed_later(client_for, member, new_action):
    action = new_action()
    experiment = Experiment.objects.create(action=action, step="Try pairing", expected="Less waiting")
    client = client_for(member)
    url = f"/actions/{action.pk}/experiments/{experiment.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "date": experiment.date.isoformat(),
            "step": "Try pairing",
            "expected": "Less waiting",
            "happened": "Waiting halved",
            "learned": "Rotate pairs",
        },
    )
    assert response.status_code == 302
    experiment.refresh_from_db()
    assert (experiment.happened, experiment.learned) == ("Waiting halved", "Rotate pairs")
    assert client.post(url, {"step": ""}).status_code == 400


def test_experiment_permissions_and_methods(client_for, outsider, manager, member, new_action):
    action = new_action()
    experiment = Experiment.objects.create(action=action, step="s", expected="e")
    data = {"date": "2026-03-02", "step": "s", "expected": "e"}
    assert client_for(outsider).post(f"/actions/{action.pk}/experiments/", data).status_code == 404
    assert client_for(outsider).get(f"/actions/{action.pk}/experiments/{experiment.pk}/").status_code == 404
    assert client_for(manager).post(f"/actions/{action.pk}/experiments/", data).status_code == 403
    assert Experiment.objects.count() == 1
    member_client = client_for(member)
    assert member_client.get(f"/actions/{action.pk}/experiments/").status_code == 405
    assert member_client.put(f"/actions/{action.pk}/experiments/{experiment.pk}/").status_code == 405


def test_experiment_of_another_action_is_404(client_for, member, new_action):
    first, second = new_action("A"), new_action("B")
    experiment = Experiment.objects.create(action=first, step="s", expected="e")
    assert client_for(member).get(f"/actions/{second.pk}/experiments/{experiment.pk}/").status_code == 404


# --- WIP limits ------------------------------------------------------------------------------


LIMITS = "/teams/checkout/actions/limits/"


def test_lead_sets_wip_limits(client_for, lead, team):
    client = client_for(lead)
    response = client.get(LIMITS)
    assert response.status_code == 200 and 'value="3"' in response.content.decode()
    response = client.post(LIMITS, {"plan": "6", "do": "2", "check": "", "act": "1"})
    assert response.status_code == 302 and response.headers["Location"] == BOARD
    assert WipLimit.objects.for_team(team) == {"plan": 6, "do": 2, "check": None, "act": 1}


@pytest.mark.parametrize("value", ["0", "-1", "many", "1000"])
def test_wip_limits_refuse_nonsense(client_for, lead, team, value):
    response = client_for(lead).post(LIMITS, {"plan": "", "do": value, "check": "", "act": ""})
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not WipLimit.objects.exists()


def test_wip_limits_link_shows_on_the_board_for_the_lead_only(client_for, lead, member):
    assert LIMITS in client_for(lead).get(BOARD).content.decode()
    assert LIMITS not in client_for(member).get(BOARD).content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("member", 403), ("manager", 403), ("staff", 403), ("outsider", 404)]
)
def test_only_the_team_lead_sets_wip_limits(persona, status, request, client_for, team):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(LIMITS).status_code == status
    assert client.post(LIMITS, {"do": "9"}).status_code == status
    assert not WipLimit.objects.exists()


def test_wip_limits_refuse_put(client_for, lead):
    assert client_for(lead).put(LIMITS).status_code == 405


# --- CSV export ------------------------------------------------------------------------------

EXPORT = "/teams/checkout/actions/export.csv"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("persona", ["member", "lead", "manager", "staff"])
def test_export_streams_the_teams_actions(persona, request, client_for, new_action, small_model):
    action = new_action("Ünïcode — “quotes”, commas", dimension=small_model.dimensions.get(key="dim-1"))
    new_action('=HYPERLINK("http://evil")')
    response = client_for(request.getfixturevalue(persona)).get(EXPORT)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="gemba-actions-checkout-' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["id", "title", "stage"]
    assert rows[1][:3] == [str(action.pk), "Ünïcode — “quotes”, commas", "Plan"]
    assert rows[1][7:9] == ["dim-1", "Dimension 1"]
    # A cell a spreadsheet would run as a formula stays text.
    assert rows[2][1].startswith("'=")
    assert len(rows) == 3


def test_export_has_only_this_teams_actions(client_for, member, other_team, new_action):
    from tests.factories import MembershipFactory

    theirs = MembershipFactory(team=other_team).user
    services.action_create(team=other_team, title="Theirs", by=theirs, owner=theirs)
    new_action("Ours")
    titles = [row[1] for row in read_csv(client_for(member).get(EXPORT))[1:]]
    assert titles == ["Ours"]


def test_export_of_an_empty_board_is_the_header(client_for, member):
    assert len(read_csv(client_for(member).get(EXPORT))) == 1


def test_export_is_404_for_outsiders_and_405_for_post(client_for, outsider, member, new_action):
    new_action()
    assert client_for(outsider).get(EXPORT).status_code == 404
    assert client_for(member).post(EXPORT).status_code == 405


def test_lowering_a_limit_below_the_count_warns_when_saving(client_for, lead, new_action):
    for n in range(3):
        new_action(f"Busy {n}", stage="do")
    response = client_for(lead).post(LIMITS, {"plan": "", "do": "2", "check": "", "act": ""}, follow=True)
    warning = (
        "Do now holds 3 actions, above its new limit of 2: "
        "no new card can enter until 2 actions have left it."
    )
    assert warning in response.content.decode()


def test_a_limit_above_the_count_saves_without_warning(client_for, lead, new_action):
    new_action("Busy", stage="do")
    response = client_for(lead).post(LIMITS, {"plan": "", "do": "2", "check": "", "act": ""}, follow=True)
    assert "WIP limits saved." in response.content.decode() and "new limit" not in response.content.decode()
