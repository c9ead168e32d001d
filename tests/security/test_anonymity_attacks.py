"""Attacks on anonymity (SPEC §3.3): what a curious lead, manager or admin could try.

- Differencing: change what the people of a hidden team–round answered (same number of them)
  and rebuild the scores: no page, export, API answer or admin page may change. The same for
  the comments of a team below k_detail. This covers every way a hidden number could leak —
  a cell, a mean with or without a group filter, a team's history beside the round export.
- Subtraction: group and org means are means over the teams at k only.
- Joining who took part to what was answered by key order or reading order.
- A dimension answered on the scale by fewer than k people is one person's answers: not shown.
- The respondent key never leaves the database; nobody reads another person's draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from statistics import mean

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.utils import timezone

from assessments.models import (
    Answer,
    Comment,
    DimensionComment,
    DimensionScore,
    Participation,
    Question,
    QuestionDistribution,
    Response,
    Round,
    TeamScore,
)
from assessments.results import org_heatmap, org_trend
from assessments.services import respondent_key, response_save, round_close, scores_store
from tests.factories import MembershipFactory, TeamFactory, answer_all, make_model, make_round

SECRET_COMMENT = "REFUNDS-HIDDEN-COMMENT"
BELOW_DETAIL_COMMENT = "LEDGER-BELOW-K-DETAIL"


@dataclass
class Scenario:
    """Two closed rounds over three teams. In Q1, checkout (5 responses) is shown with details,
    ledger (3) is scored without details, refunds (2) is below k and hidden. In Q0 all are shown."""

    model: object
    q0: Round
    q1: Round
    checkout: object
    refunds: object
    ledger: object
    people: dict[str, list]


def _close(round_):
    return round_close(round=round_)


@pytest.fixture
def scenario(group, team, other_team) -> Scenario:
    model = make_model(points=5, reverse_last=False, name="Anonymity")
    refunds = TeamFactory(group=group, name="Refunds", slug="refunds")
    people = {
        "checkout": [MembershipFactory(team=team).user for _ in range(5)],
        "refunds": [MembershipFactory(team=refunds).user for _ in range(3)],
        "ledger": [MembershipFactory(team=other_team).user for _ in range(3)],
    }
    teams = [team, refunds, other_team]
    q0 = make_round(model=model, teams=teams, state="past", name="Q0")
    Round.objects.filter(pk=q0.pk).update(
        opens_at=timezone.now() - timedelta(days=120), closes_at=timezone.now() - timedelta(days=100)
    )
    q0.refresh_from_db()
    for slug, value in (("checkout", "3"), ("refunds", "5"), ("ledger", "4")):
        for user in people[slug]:
            answer_all(q0, {t.slug: t for t in teams}[slug], user, value)
    q0 = _close(q0)

    q1 = make_round(model=model, teams=teams, state="past", name="Q1")
    dimension = model.dimensions.get(key="dim-1")
    for user, value in zip(people["checkout"], "44534", strict=True):
        answer_all(q1, team, user, value, comments={dimension.pk: f"Checkout thinks {value}"})
    for user, value in zip(people["refunds"][:2], "21", strict=True):
        answer_all(q1, refunds, user, value, comments={dimension.pk: SECRET_COMMENT})
    for user in people["ledger"]:
        answer_all(q1, other_team, user, "3", comments={dimension.pk: BELOW_DETAIL_COMMENT})
    q1 = _close(q1)
    return Scenario(model, q0, q1, team, refunds, other_team, people)


# --- Differencing: nothing about a hidden team–round shows anywhere ----------------------------


def _pages(s: Scenario) -> list[str]:
    q0, q1 = s.q0.pk, s.q1.pk
    pages = [
        "/",
        "/org/",
        f"/org/?round={q1}",
        f"/org/?round={q1}&group=payments",
        f"/org/?round={q1}&group=platform",
        f"/org/?round={q1}&sort=-overall",
        f"/org/?round={q1}&sort=dim-1",
        f"/org/heatmap.csv?round={q1}",
        f"/org/heatmap.csv?round={q1}&group=payments",
        "/org/rounds.csv",
        f"/org/rounds/{q1}.csv",
        f"/org/rounds/{q0}.csv",
        "/teams/refunds/",
        f"/teams/refunds/?round={q1}",
        f"/teams/refunds/?round={q0}",
        "/teams/refunds/history.csv",
        f"/teams/ledger/?round={q1}",
        f"/teams/checkout/?round={q1}",
        "/teams/checkout/history.csv",
        f"/rounds/{q1}/",
        f"/api/v1/rounds/{q1}/scores",
        f"/api/v1/rounds/{q0}/scores",
    ]
    for model_admin in ("teamscore", "dimensionscore", "questiondistribution", "round"):
        pages.append(f"/admin/assessments/{model_admin}/")
    pages += [f"/admin/assessments/round/{q1}/change/", "/admin/audit/auditevent/"]
    return pages


VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), "csrf"),
    (re.compile(r'nonce="[^"]+"'), "nonce"),
    (re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "chart-id"),
    # Stored aggregates are rebuilt as new rows: their ids in admin links change, nothing else.
    (re.compile(r"/admin/assessments/(\w+)/\d+/"), r"/admin/assessments/\1/N/"),
    (re.compile(r'name="_selected_action" value="\d+"'), "selected"),
    # A rebuild stamps when the scores were stored (the round's admin page shows it): no leak.
    (re.compile(r'(field-scored_at.*?<div class="readonly">)[^<]*', re.DOTALL), r"\1stamp"),
]


def _snapshot(client: Client, pages: list[str]) -> dict[str, str]:
    seen = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        for pattern, replacement in VOLATILE:
            text = pattern.sub(replacement, text)
        seen[page] = text
    return seen


def _rewrite_what_the_hidden_people_said(s: Scenario) -> None:
    """Same people, same count; other answers and comments. Then rebuild, as rebuild_scores does."""
    Answer.objects.filter(response__round=s.q1, response__team=s.refunds).update(value=5)
    Comment.objects.filter(response__round=s.q1, response__team=s.refunds).update(text="something else")
    Comment.objects.filter(response__round=s.q1, response__team=s.ledger).update(text="also else")
    scores_store(round=s.q1)


@pytest.mark.parametrize("persona", ["staff", "manager", "refunds member"])
def test_what_hidden_people_answered_changes_nothing_anyone_sees(scenario, persona, staff, manager):
    user = {"staff": staff, "manager": manager, "refunds member": scenario.people["refunds"][0]}[persona]
    client = Client()
    client.force_login(user, backend="accounts.backends.PasswordBackend")
    pages = _pages(scenario)
    if persona != "staff":
        pages = [p for p in pages if not p.startswith(("/admin/", "/teams/ledger/"))]
    if persona == "refunds member":
        pages = [p for p in pages if not p.startswith(("/teams/checkout/", "/rounds/"))]
    before = _snapshot(client, pages)
    _rewrite_what_the_hidden_people_said(scenario)
    after = _snapshot(client, pages)
    changed = [page for page in pages if before[page] != after[page]]
    assert changed == []
    everything = "".join(after.values())
    assert SECRET_COMMENT not in everything and BELOW_DETAIL_COMMENT not in everything
    assert "Checkout thinks" in everything or persona == "refunds member"


def test_the_differencing_test_would_see_a_leak(scenario, staff, client_for):
    """Guard for the test above: a team at k does change the pages when its answers change."""
    client = client_for(staff)
    pages = [f"/org/?round={scenario.q1.pk}", f"/api/v1/rounds/{scenario.q1.pk}/scores"]
    before = _snapshot(client, pages)
    Answer.objects.filter(response__round=scenario.q1, response__team=scenario.ledger).update(value=5)
    scores_store(round=scenario.q1)
    after = _snapshot(client, pages)
    assert all(before[page] != after[page] for page in pages)


def test_hidden_team_round_has_only_its_count_stored(scenario):
    score = TeamScore.objects.get(round=scenario.q1, team=scenario.refunds)
    assert score.hidden and score.responses == 2
    assert (score.mean, score.index, score.level) == (None, None, None)
    for model in (DimensionScore, QuestionDistribution, DimensionComment):
        assert not model.objects.filter(round=scenario.q1, team=scenario.refunds).exists()
    # ledger: scored (3 ≥ k) but no distributions or comments (3 < k_detail).
    assert DimensionScore.objects.filter(round=scenario.q1, team=scenario.ledger).exists()
    for model in (QuestionDistribution, DimensionComment):
        assert not model.objects.filter(round=scenario.q1, team=scenario.ledger).exists()


def test_a_hidden_team_round_is_in_neither_the_team_history_nor_the_round_export(scenario, client_for, staff):
    import csv
    import io

    client = client_for(staff)

    def rows(url):
        body = b"".join(client.get(url).streaming_content).decode()
        return list(csv.DictReader(io.StringIO(body)))

    history = rows("/teams/refunds/history.csv")
    assert {row["round"] for row in history} == {"Q0"}
    export = rows(f"/org/rounds/{scenario.q1.pk}.csv")
    assert {row["team"] for row in export} == {"checkout", "ledger"}
    everything = rows("/org/rounds.csv")
    assert not [row for row in everything if row["team"] == "refunds" and row["round"] == "Q1"]


# --- Subtraction: group and org means hold only teams at k -------------------------------------


def _add_team_at_k(scenario, value: str = "2"):
    """A fourth team, in platform, whose three people answered Q1: the round is rebuilt with it."""
    fraud = TeamFactory(group=scenario.ledger.group, name="Fraud", slug="fraud")
    scenario.q1.teams.add(fraud)
    for _ in range(3):
        answer_all(scenario.q1, fraud, MembershipFactory(team=fraud).user, value)
    scores_store(round=scenario.q1)
    return fraud


def test_no_org_or_group_number_from_fewer_than_k_teams(scenario, staff):
    """Q1 has two teams at k (refunds is hidden): a "mean of teams" would be nearly each one's own."""
    org = org_heatmap(viewer=staff, group_slug=None, round_id=scenario.q1.pk, sort=None)
    assert len(org.scored_rows) == 2
    assert org.mean_index is None and org.dimension_mean("dim-1") is None
    assert set(org.level_counts.values()) == {0}
    labels, _series, _teams = org_trend({"dim-1": "Dimension 1"})
    assert "Q1" not in labels and "Q0" in labels


def test_group_and_org_means_hold_only_teams_at_k(scenario, staff):
    _add_team_at_k(scenario)
    q1 = scenario.q1.pk
    org = org_heatmap(viewer=staff, group_slug=None, round_id=q1, sort=None)
    rows = {row.team.slug: row for row in org.rows}
    assert rows["refunds"].hidden and rows["refunds"].index is None and rows["refunds"].cells == {}
    at_k = [rows[slug] for slug in ("checkout", "ledger", "fraud")]
    assert org.mean_index == pytest.approx(mean(row.index for row in at_k))
    for key in ("dim-1", "dim-2"):
        assert org.dimension_mean(key) == pytest.approx(mean(row.cells[key].index for row in at_k))
    assert sum(org.level_counts.values()) == 3
    # Payments holds checkout and the hidden refunds: one team at k, so no group number at all.
    payments = org_heatmap(viewer=staff, group_slug="payments", round_id=q1, sort=None)
    assert payments.mean_index is None and payments.dimension_mean("dim-1") is None

    labels, series, team_counts = org_trend({"dim-1": "Dimension 1"})
    position = labels.index("Q1")
    assert team_counts[position] == 3
    assert series["Overall"][position] == pytest.approx(mean(row.index for row in at_k))


def test_org_median_on_a_team_dashboard_holds_only_teams_at_k(scenario, client_for, lead):
    from statistics import median

    url = f"/teams/checkout/?round={scenario.q1.pk}"
    assert client_for(lead).get(url).context["results"].org_median == {}  # two teams at k: none
    _add_team_at_k(scenario)
    org_median = client_for(lead).get(url).context["results"].org_median
    stored = DimensionScore.objects.filter(round=scenario.q1, dimension_key="dim-1")
    assert set(stored.values_list("team__slug", flat=True)) == {"checkout", "ledger", "fraud"}
    assert org_median["dim-1"] == pytest.approx(median(stored.values_list("index", flat=True)))


# --- A dimension that only one or two people answered on the scale ------------------------------


def test_a_dimension_answered_by_fewer_than_k_people_is_not_scored(small_model, team, lead, client_for):
    """Four people answer, but only one of them on the scale in dim-2 (the others: don't know).
    A dim-2 score would be that one person's answers; the overall score would give it away too."""
    round_ = make_round(model=small_model, teams=[team], state="open")
    questions = list(
        Question.objects.filter(dimension__model=small_model).order_by("dimension__order", "order")
    )
    people = [MembershipFactory(team=team).user for _ in range(4)]
    for n, user in enumerate(people):
        answers = {q.pk: "4" for q in questions if q.dimension.key == "dim-1"}
        answers |= {q.pk: ("1" if n == 0 else "dk") for q in questions if q.dimension.key == "dim-2"}
        response_save(round=round_, team=team, user=user, answers=answers, comments={}, submit=True)
    round_close(round=round_)
    assert set(DimensionScore.objects.filter(round=round_).values_list("dimension_key", flat=True)) == {
        "dim-1"
    }
    score = TeamScore.objects.get(round=round_, team=team)
    dim_1 = DimensionScore.objects.get(round=round_, dimension_key="dim-1")
    assert score.mean == pytest.approx(dim_1.mean), "the overall score must not carry dim-2"
    client = client_for(lead)
    for page in ("/teams/checkout/", "/org/", "/org/heatmap.csv", f"/api/v1/rounds/{round_.pk}/scores"):
        assert client.get(page).status_code == 200, page
    dashboard = client.get("/teams/checkout/").context["results"]
    assert [row.key for row in dashboard.dimensions] == ["dim-1"]


# --- Joining participations to responses --------------------------------------------------------

SUBMISSIONS = 60
# A join by chance gets about one pair right; by a real order it gets them all.
CHANCE = 8


@pytest.fixture
def many_submissions(small_model, team):
    """60 members submit one after the other; some save a draft first. Returns whose response is which."""
    round_ = make_round(model=small_model, teams=[team], state="open", k=3)
    questions = list(Question.objects.filter(dimension__model=small_model).values_list("pk", flat=True))
    dimension = small_model.dimensions.get(key="dim-1")
    owner = {}
    for n in range(SUBMISSIONS):
        user = MembershipFactory(team=team).user
        answers = {pk: str(1 + (n + pk) % 5) for pk in questions}
        if n % 7 == 0:
            response_save(round=round_, team=team, user=user, answers=answers, comments={}, submit=False)
        response_save(
            round=round_, team=team, user=user, answers=answers, comments={dimension.pk: f"c{n}"}, submit=True
        )
        key = respondent_key(user_id=user.pk, round_id=round_.pk, team_id=team.pk)
        owner[Response.objects.get(respondent_key=key).pk] = user.pk
    return round_, owner


def _hits(people: list[int], responses: list, owner: dict) -> int:
    """How many pairs a join by position gets right."""
    return sum(
        1 for user_id, response_id in zip(people, responses, strict=True) if owner[response_id] == user_id
    )


def test_responses_read_in_their_default_order_do_not_line_up_with_participations(many_submissions):
    round_, owner = many_submissions
    people = list(Participation.objects.filter(round=round_).values_list("user_id", flat=True))
    responses = list(Response.objects.filter(round=round_).values_list("pk", flat=True))
    assert _hits(people, responses, owner) <= CHANCE
    # Nor in submission order: the response keys are random.
    submitted_order = list(owner)
    assert responses != submitted_order and responses != submitted_order[::-1]


def test_keys_do_not_line_up_participations_with_answers_or_comments(many_submissions):
    """Answer and comment ids grow with each submission; participation keys must not, or the
    n-th participation by key would be the n-th response by its answers' keys."""
    round_, owner = many_submissions
    people = list(Participation.objects.filter(round=round_).order_by("pk").values_list("user_id", flat=True))
    for rows in (Answer.objects, Comment.objects):
        first_key = {}
        for pk, response_id in (
            rows.filter(response__round=round_).order_by("pk").values_list("pk", "response_id")
        ):
            first_key.setdefault(response_id, pk)
        responses = sorted(first_key, key=first_key.get)
        assert _hits(people, responses, owner) <= CHANCE
    by_response_key = list(Response.objects.filter(round=round_).order_by("pk").values_list("pk", flat=True))
    assert _hits(people, by_response_key, owner) <= CHANCE


def test_saving_answers_writes_nothing_but_the_response_its_answers_and_the_participation(small_model, team):
    """No audit entry, history row or log with a time next to what was answered or who took part."""
    from django.apps import apps

    round_ = make_round(model=small_model, teams=[team], state="open")
    user = MembershipFactory(team=team).user
    questions = Question.objects.filter(dimension__model=small_model).values_list("pk", flat=True)
    dimension = small_model.dimensions.first()

    def counts():
        return {model._meta.label: model.objects.count() for model in apps.get_models()}

    before = counts()
    for submit in (False, True, True):
        response_save(
            round=round_,
            team=team,
            user=user,
            answers=dict.fromkeys(questions, "3"),
            comments={dimension.pk: "fine"},
            submit=submit,
        )
    after = counts()
    changed = {label for label in before if before[label] != after[label]}
    assert changed == {
        "assessments.Response",
        "assessments.Answer",
        "assessments.Comment",
        "assessments.Participation",
    }


def test_no_row_of_either_side_carries_a_time():
    from django.db import models

    for model in (Participation, Response, Answer, Comment):
        for column in model._meta.concrete_fields:
            assert not isinstance(column, models.DateField | models.DateTimeField | models.TimeField), column
            assert not isinstance(column, models.AutoField | models.BigAutoField) or model in (
                Answer,
                Comment,
            ), f"{model.__name__}.{column.name}: a sequential key records the order of submission"


# --- The respondent key and drafts -------------------------------------------------------------


def _every_page_for(client: Client, pages: list[str]) -> str:
    texts = []
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        body = b"".join(response.streaming_content) if response.streaming else response.content
        texts.append(body.decode())
    return "\n".join(texts)


def _admin_pages() -> list[str]:
    pages = []
    for model in admin.site._registry:
        meta = model._meta
        pages.append(f"/admin/{meta.app_label}/{meta.model_name}/")
    return pages


def test_respondent_keys_are_never_rendered(scenario, open_round_with_a_draft, staff, client_for):
    round_, drafter = open_round_with_a_draft
    for colleague in scenario.people["checkout"][1:]:
        answer_all(round_, scenario.checkout, colleague, "4")
    keys = set(Response.objects.filter(respondent_key__isnull=False).values_list("respondent_key", flat=True))
    assert len(keys) == 5  # the open round's; the closed rounds keep none
    assert not Response.objects.filter(
        round__in=[scenario.q0, scenario.q1], respondent_key__isnull=False
    ).exists()
    member_pages = [
        "/",
        "/surveys/",
        f"/surveys/{round_.pk}/checkout/",
        "/teams/checkout/",
        "/org/",
        "/org/rounds.csv",
        f"/api/v1/rounds/{scenario.q1.pk}/scores",
        "/api/v1/openapi.json",
    ]
    seen = _every_page_for(client_for(drafter), member_pages)
    seen += _every_page_for(
        client_for(staff), _admin_pages() + [f"/admin/assessments/round/{round_.pk}/change/"]
    )
    leaked = [key for key in keys if key in seen or key[:16] in seen]
    assert leaked == []
    assert settings.RESPONDENT_KEY_SECRET not in seen


@pytest.fixture
def open_round_with_a_draft(scenario, team):
    round_ = make_round(model=scenario.model, teams=[team], name="Open")
    drafter = scenario.people["checkout"][0]
    dimension = scenario.model.dimensions.get(key="dim-2")
    question = Question.objects.filter(dimension=dimension).first()
    response_save(
        round=round_,
        team=team,
        user=drafter,
        answers={question.pk: "2"},
        comments={dimension.pk: "DRAFT-ONLY-MINE"},
        submit=False,
    )
    return round_, drafter


def test_nobody_else_reads_a_draft(scenario, open_round_with_a_draft, lead, manager, staff, client_for):
    round_, drafter = open_round_with_a_draft
    own = client_for(drafter).get(f"/surveys/{round_.pk}/checkout/")
    assert "DRAFT-ONLY-MINE" in own.content.decode(), "the drafter finds their draft again"
    colleague = scenario.people["checkout"][1]
    for user in (colleague, lead):
        page = client_for(user).get(f"/surveys/{round_.pk}/checkout/")
        assert page.status_code == 200 and "DRAFT-ONLY-MINE" not in page.content.decode()
        assert 'value="2" checked' not in page.content.decode()
    for user in (manager, staff):
        assert client_for(user).get(f"/surveys/{round_.pk}/checkout/").status_code == 404
    admin_seen = _every_page_for(client_for(staff), _admin_pages())
    assert "DRAFT-ONLY-MINE" not in admin_seen
    # Once the round closes, drafts are gone: they never reach any result.
    round_close(round=round_)
    assert not Comment.objects.filter(text="DRAFT-ONLY-MINE").exists()


def test_staff_deleting_a_person_in_the_admin_keeps_the_aggregates(scenario, staff, client_for):
    person = scenario.people["refunds"][0]
    q0 = TeamScore.objects.values("responses", "index").get(round=scenario.q0, team=scenario.refunds)
    client = client_for(staff)
    confirm = client.get(f"/admin/auth/user/{person.pk}/delete/")
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert SECRET_COMMENT not in page and "Response" not in page and "Answer" not in page
    response = client.post(f"/admin/auth/user/{person.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Participation.objects.filter(user_id=person.pk).exists()
    assert Response.objects.filter(round=scenario.q0, team=scenario.refunds).count() == 3
    scores_store(round=scenario.q0)
    assert TeamScore.objects.values("responses", "index").get(round=scenario.q0, team=scenario.refunds) == q0
