"""The improvement board on /teams/<slug>/actions/: columns, creating, prefill, permissions, queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from improvements import services
from improvements.models import Action, StageChange, WipLimit
from tests.factories import MembershipFactory, make_model, make_round

BOARD = "/teams/checkout/actions/"


@pytest.fixture
def small_model(db):
    return make_model(points=5)


@pytest.fixture
def create_action(team, member):
    def create(title="Shorter stand-ups", stage=None, **fields):
        action = services.action_create(team=team, title=title, by=member, owner=member, **fields)
        if stage:
            services.action_move(action=action, stage=stage, by=member)
        return action

    return create


# --- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member", "lead", "manager", "staff"])
def test_team_people_see_the_board(persona, request, client_for, team):
    response = client_for(request.getfixturevalue(persona)).get(BOARD)
    assert response.status_code == 200
    assert response.context["team"] == team


def test_outsider_gets_404(client_for, outsider, team):
    assert client_for(outsider).get(BOARD).status_code == 404
    assert client_for(outsider).post(BOARD, {"title": "Sneaky"}).status_code == 404
    assert not Action.objects.exists()


def test_unknown_team_gets_404(client_for, member):
    assert client_for(member).get("/teams/nope/actions/").status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, team):
    response = client.get(BOARD)
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login/")


def test_put_is_405(client_for, member):
    assert client_for(member).put(BOARD).status_code == 405


@pytest.mark.parametrize("persona", ["manager", "staff"])
def test_managers_and_staff_look_on_read_only(persona, request, client_for, team, create_action):
    create_action("Visible to the group manager")
    client = client_for(request.getfixturevalue(persona))
    content = client.get(BOARD).content.decode()
    assert "Visible to the group manager" in content
    assert "read-only" in content
    assert 'name="stage"' not in content and 'id="new-action"' not in content
    assert client.post(BOARD, {"title": "Not theirs to add", "owner": ""}).status_code == 403
    assert Action.objects.count() == 1


# --- columns ---------------------------------------------------------------------------------


def test_board_shows_a_column_per_stage_with_count_and_limit(client_for, member, create_action):
    create_action("Planned")
    create_action("Busy", stage="do")
    response = client_for(member).get(BOARD)
    columns = {column.stage: column for column in response.context["columns"]}
    assert list(columns) == ["plan", "do", "check", "act", "done", "dropped"]
    assert (columns["do"].count, columns["do"].limit) == (1, 3)
    assert (columns["plan"].count, columns["plan"].limit) == (1, None)
    content = response.content.decode()
    assert "1 of 3" in content
    assert "Planned" in content and "Busy" in content


def test_a_full_column_says_so(client_for, member, create_action):
    for n in range(3):
        create_action(f"Busy {n}", stage="do")
    content = client_for(member).get(BOARD).content.decode()
    assert "3 of 3" in content and "full" in content


def test_cards_show_owner_due_date_overdue_and_dimension(
    client_for, member, team, small_model, create_action
):
    action = create_action("Late one", due_date=timezone.localdate() + timedelta(days=3))
    Action.objects.filter(pk=action.pk).update(
        due_date=timezone.localdate() - timedelta(days=2), dimension=small_model.dimensions.get(key="dim-1")
    )
    content = client_for(member).get(BOARD).content.decode()
    card = content[content.index(f'id="action-{action.pk}"') :]
    card = card[: card.index("</li>")]
    assert member.get_full_name() in card
    assert "overdue" in card
    assert "Dimension 1" in card


def test_board_shows_flow_numbers_and_charts(client_for, member, create_action):
    create_action("Finished", stage="done")
    create_action("Busy", stage="do")
    response = client_for(member).get(BOARD)
    metrics = response.context["metrics"]
    assert metrics.in_progress == 1 and metrics.finished_in_window == 1 and metrics.cycle_time.count == 1
    content = response.content.decode()
    assert "Cumulative flow" in content and "Throughput" in content
    assert "<svg" in content and "<script" not in content.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "js/board.js" in content


def test_empty_board_explains_what_to_do(client_for, member):
    content = client_for(member).get(BOARD).content.decode()
    assert "No action yet" in content
    assert "<svg" not in content


# --- creating --------------------------------------------------------------------------------


def test_member_creates_an_action_in_plan(client_for, member, lead, team):
    response = client_for(member).post(
        BOARD,
        {
            "title": "  Limit   work in progress ",
            "owner": lead.pk,
            "current_condition": "Eleven things open.",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert response.headers["Location"] == f"{BOARD}#action-{action.pk}"
    assert (action.title, action.owner, action.stage, action.team) == (
        "Limit work in progress",
        lead,
        "plan",
        team,
    )
    assert action.current_condition == "Eleven things open."
    assert StageChange.objects.filter(action=action, from_stage="", to_stage="plan", by=member).exists()


def test_create_with_missing_title_and_foreign_owner_shows_errors(client_for, member, outsider):
    response = client_for(member).post(BOARD, {"title": "", "owner": outsider.pk})
    assert response.status_code == 400
    content = response.content.decode()
    assert "This field is required." in content
    assert "Choose a member of the team as the owner." in content
    assert not Action.objects.exists()


def test_create_refuses_a_past_due_date(client_for, member):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_for(member).post(
        BOARD, {"title": "T", "owner": member.pk, "due_date": yesterday.isoformat()}
    )
    assert response.status_code == 400
    assert "A due date cannot lie in the past." in response.content.decode()


def test_create_refuses_a_round_of_another_team(client_for, member, other_team, small_model):
    from assessments.services import round_close

    theirs = round_close(round=make_round(model=small_model, teams=[other_team], state="past"))
    response = client_for(member).post(BOARD, {"title": "T", "owner": member.pk, "source_round": theirs.pk})
    assert response.status_code == 400
    assert "Choose a closed round of this team." in response.content.decode()


def test_create_into_a_full_plan_keeps_the_form_and_says_why(client_for, member, team, create_action):
    services.wip_limits_set(team=team, limits={"plan": 1})
    create_action("First")
    response = client_for(member).post(BOARD, {"title": "Second", "owner": member.pk})
    assert response.status_code == 409
    content = response.content.decode()
    assert "Plan is full: its WIP limit is 1" in content
    assert 'value="Second"' in content
    assert Action.objects.count() == 1


# --- prefill from the dashboard --------------------------------------------------------------


@pytest.fixture
def scored_round(team, small_model):
    from assessments.services import round_close

    return round_close(round=make_round(model=small_model, teams=[team], state="past", name="Spring"))


def test_prefill_by_dimension_key_and_round(client_for, member, small_model, scored_round):
    response = client_for(member).get(f"{BOARD}?dimension=dim-2&round={scored_round.pk}")
    form = response.context["form"]
    dimension = small_model.dimensions.get(key="dim-2")
    assert form.initial["dimension"] == dimension.pk
    assert form.initial["source_round"] == scored_round.pk
    assert form.initial["title"] == "Improve Dimension 2"
    content = response.content.decode()
    assert f'<option value="{dimension.pk}" selected>Dimension 2</option>' in content
    assert f'<option value="{scored_round.pk}" selected>Spring</option>' in content


def test_prefill_by_dimension_id(client_for, member, small_model, scored_round):
    dimension = small_model.dimensions.get(key="dim-1")
    form = client_for(member).get(f"{BOARD}?dimension={dimension.pk}").context["form"]
    assert form.initial["dimension"] == dimension.pk and "source_round" not in form.initial


def test_prefill_picks_the_rounds_version_of_a_dimension(client_for, member, team, small_model, scored_round):
    from assessments.services import round_close

    newer = make_model(points=5, name="Small")
    newer_round = round_close(round=make_round(model=newer, teams=[team], state="past", name="Autumn"))
    form = client_for(member).get(f"{BOARD}?dimension=dim-1&round={newer_round.pk}").context["form"]
    assert form.initial["dimension"] == newer.dimensions.get(key="dim-1").pk
    form = client_for(member).get(f"{BOARD}?dimension=dim-1&round={scored_round.pk}").context["form"]
    assert form.initial["dimension"] == small_model.dimensions.get(key="dim-1").pk


@pytest.mark.parametrize("query", ["?dimension=nope&round=999", "?dimension=&round=abc", "?dimension=99999"])
def test_prefill_with_nonsense_is_ignored(client_for, member, scored_round, query):
    response = client_for(member).get(BOARD + query)
    assert response.status_code == 200
    assert "dimension" not in response.context["form"].initial


def test_prefill_ignores_a_round_of_another_team(client_for, member, other_team, small_model, scored_round):
    from assessments.services import round_close

    theirs = round_close(round=make_round(model=small_model, teams=[other_team], state="past"))
    form = client_for(member).get(f"{BOARD}?round={theirs.pk}").context["form"]
    assert "source_round" not in form.initial


def test_prefilled_action_is_created_with_dimension_and_round(client_for, member, small_model, scored_round):
    dimension = small_model.dimensions.get(key="dim-2")
    client_for(member).post(
        BOARD,
        {
            "title": "Improve Dimension 2",
            "owner": member.pk,
            "dimension": dimension.pk,
            "source_round": scored_round.pk,
        },
    )
    action = Action.objects.get()
    assert (action.dimension, action.source_round) == (dimension, scored_round)


def test_start_action_include_links_to_the_prefilled_form(rf, team, small_model, scored_round):
    from django.template.loader import render_to_string

    from assessments.models import DimensionScore

    dimension = small_model.dimensions.get(key="dim-2")
    html = render_to_string(
        "improvements/_start_action.html", {"team": team, "dimension": dimension, "round": scored_round}
    )
    href = f'href="/teams/checkout/actions/?dimension=dim-2&amp;round={scored_round.pk}#new-action"'
    assert href in html and "Start an improvement action" in html and "Dimension 2" in html
    # A DimensionScore and a bare round id do as well.
    score = DimensionScore(team=team, round=scored_round, dimension=dimension, dimension_key="dim-2")
    assert href in render_to_string(
        "improvements/_start_action.html", {"team": team, "dimension": score, "round": scored_round.pk}
    )


# --- queries ---------------------------------------------------------------------------------


def many_actions(team, n: int) -> None:
    """n actions spread over every stage, each with a few stage changes and an experiment."""
    from improvements.models import Experiment

    members = [MembershipFactory(team=team).user for _ in range(3)]
    WipLimit.objects.update_or_create(team=team, stage="do", defaults={"limit": None})
    stages = ["plan", "do", "check", "act", "done", "dropped"]
    for i in range(n):
        owner = members[i % 3]
        action = services.action_create(
            team=team,
            title=f"Action {i}",
            by=owner,
            owner=owner,
            due_date=timezone.localdate() + timedelta(days=i),
        )
        target = stages[i % len(stages)]
        for stage in {"plan": [], "do": ["do"], "check": ["do", "check"], "act": ["do", "act"]}.get(
            target, ["do", target]
        ):
            services.action_move(action=action, stage=stage, by=owner)
        Experiment.objects.create(action=action, step="s", expected="e")


@pytest.mark.parametrize("n", [5, 50])
def test_board_queries_do_not_grow_with_actions(
    client_for, member, team, small_model, n, django_assert_max_num_queries
):
    many_actions(team, n)
    client = client_for(member)
    with django_assert_max_num_queries(15):
        response = client.get(BOARD)
    assert response.status_code == 200
    assert sum(column.count for column in response.context["columns"]) == n


def test_board_query_count_is_the_same_for_5_and_50_actions(client_for, member, team, small_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(member)
    many_actions(team, 5)
    with CaptureQueriesContext(connection) as few:
        client.get(BOARD)
    many_actions(team, 45)
    with CaptureQueriesContext(connection) as many:
        client.get(BOARD)
    assert len(many) == len(few)


# --- what the board says after a move, a lowered limit, and for finished cards ------------------


def _text(html: str) -> str:
    """The words of some HTML as a person reads them (tags dropped, spaces collapsed)."""
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _card(content: str, action) -> str:
    card = content[content.index(f'id="action-{action.pk}"') :]
    return card[: card.index("</li>")]


def test_a_refused_move_is_said_on_the_card_and_keeps_the_chosen_stage(client_for, member, create_action):
    for n in range(3):
        create_action(f"Busy {n}", stage="do")
    waiting = create_action("Waiting")
    client = client_for(member)
    response = client.post(
        f"/actions/{waiting.pk}/move/", {"stage": "do", "next": f"{BOARD}#action-{waiting.pk}"}
    )
    # Back to the message on the card (focusable, so the browser scrolls to it and focuses it).
    assert response.headers["Location"] == f"{BOARD}#move-refused-{waiting.pk}"
    content = client.get(BOARD).content.decode()
    card = _card(content, waiting)
    assert "Do is full: its WIP limit is 3." in card and 'class="alert alert-danger' in card
    assert '<option value="do" selected>' in card  # not reset to the next stage
    # Said once, on the card: not again in the messages at the top of the page.
    assert content.count("Do is full: its WIP limit is 3.") == 1
    # The next visit shows the card as usual.
    assert "Do is full" not in client.get(BOARD).content.decode()


def test_other_messages_stay_at_the_top_of_the_board(client_for, member, create_action):
    action = create_action("Moving on")
    client = client_for(member)
    client.post(f"/actions/{action.pk}/move/", {"stage": "do", "next": BOARD})
    content = client.get(BOARD).content.decode()
    assert "“Moving on” moved to Do." in content[: content.index('id="board-heading"')]


def test_column_heading_reads_label_count_and_over_the_limit_with_spaces(
    client_for, member, team, create_action
):
    for n in range(3):
        create_action(f"Busy {n}", stage="do")
    services.wip_limits_set(team=team, limits={"plan": None, "do": 2, "check": None, "act": None})
    content = client_for(member).get(BOARD).content.decode()
    heading = content[content.index('id="column-do"') :]
    heading = _text(heading[heading.index(">") + 1 : heading.index("</h3>")])
    assert heading == "Do · 3 of 2 · over the limit"


def test_finished_cards_have_no_move_controls(client_for, member, create_action):
    done = create_action("Finished", stage="done")
    dropped = create_action("Given up", stage="dropped")
    busy = create_action("Busy", stage="do")
    content = client_for(member).get(BOARD).content.decode()
    for action in (done, dropped):
        card = _card(content, action)
        assert 'name="stage"' not in card and "draggable" not in card
    assert 'name="stage"' in _card(content, busy) and "draggable" in _card(content, busy)


def test_done_shows_the_latest_five_and_folds_the_rest_behind_show_all(client_for, member, create_action):
    finished = [create_action(f"Finished {n}", stage="done") for n in range(8)]
    content = client_for(member).get(BOARD).content.decode()
    done = content[content.index('id="column-done"') : content.index('id="column-dropped"')]
    up_front, folded = done.split("<details", 1)
    assert all(f"Finished {n}<" in up_front for n in range(3, 8))  # the latest five, shown
    assert all(f"Finished {n}<" in folded and f"Finished {n}<" not in up_front for n in range(3))
    assert "Show all 8 actions (3 older)" in _text(folded)
    assert len(finished) == 8
