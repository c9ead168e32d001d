"""Anonymity at rest (SPEC §3.3): someone holding a copy of the database after a round closed.

Sixty members submit one after the other, a few after a draft. Before the close, the rows on disk
follow the order people answered in: the joins below line them up (which shows the joins are real).
After the close, every join an attacker would try — physical row order (SQLite rowid, PostgreSQL
ctid), transaction ids (xmin), the order of answer and comment ids, key order, and the HMAC of each
participant with the respondent secret — gets no more pairs right than chance.

Whose response is whose is known to the test alone, through a comment text unique to each person.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.models import Count

from assessments.models import Answer, Comment, Participation, Question, Response
from assessments.services import respondent_key, response_save, round_close
from tests.factories import MembershipFactory, make_round

SUBMISSIONS = 60
# A join by chance gets about one pair right (a random permutation has one fixed point on average;
# eight or more out of sixty happen with a probability below 1e-5). A real order gets them all.
CHANCE = 8


@pytest.fixture
def submissions(small_model, team):
    round_ = make_round(model=small_model, teams=[team], state="open", k=3)
    questions = list(Question.objects.filter(dimension__model=small_model).values_list("pk", flat=True))
    dimension = small_model.dimensions.get(key="dim-1")
    people = []
    for n in range(SUBMISSIONS):
        user = MembershipFactory(team=team).user
        answers = {pk: str(1 + (n + pk) % 5) for pk in questions}
        if n % 7 == 0:
            response_save(round=round_, team=team, user=user, answers=answers, comments={}, submit=False)
        response_save(
            round=round_, team=team, user=user, answers=answers, comments={dimension.pk: f"c{n}"}, submit=True
        )
        people.append(user.pk)
    return round_, {f"c{n}": user_id for n, user_id in enumerate(people)}


def owners(round_, signature: dict[str, int]) -> dict:
    """The test's oracle: each response's person, through the comment text only that person wrote."""
    return {
        response_id: signature[text]
        for response_id, text in Comment.objects.filter(response__round=round_).values_list(
            "response_id", "text"
        )
    }


def hits(people: list[int], responses: list, owner: dict) -> int:
    """How many pairs a join by position gets right."""
    return sum(
        1 for user_id, response_id in zip(people, responses, strict=False) if owner[response_id] == user_id
    )


def physical(table: str, columns: str, round_id: int, via_response: bool = False) -> list[tuple]:
    """Rows in the order they lie on disk: SQLite's rowid, PostgreSQL's ctid."""
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    where = (
        "response_id IN (SELECT id FROM assessments_response WHERE round_id = %s)"
        if via_response
        else ("round_id = %s")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {order}", [round_id])
        return cursor.fetchall()


def first_by(rows: list[tuple]) -> list:
    """Response ids in the order of their first row (answers, comments)."""
    seen: dict = {}
    for (response_id,) in rows:
        seen.setdefault(response_id, len(seen))
    return sorted(seen, key=seen.get)


def joins(round_) -> dict[str, tuple[list[int], list]]:
    """Every ordering join: (people in an order, responses in the matching order)."""
    by_rowid = [user for (user,) in physical("assessments_participation", "user_id", round_.pk)]
    by_key = list(Participation.objects.filter(round=round_).order_by("pk").values_list("user_id", flat=True))
    found = {
        "responses by physical order": (
            by_rowid,
            [r for (r,) in physical("assessments_response", "id", round_.pk)],
        ),
        "responses by key order": (
            by_key,
            list(Response.objects.filter(round=round_).order_by("pk").values_list("pk", flat=True)),
        ),
    }
    for name, model, table in (
        ("answers", Answer, "assessments_answer"),
        ("comments", Comment, "assessments_comment"),
    ):
        by_id = list(model.objects.filter(response__round=round_).order_by("pk").values_list("response_id"))
        found[f"{name} by id order"] = (by_rowid, first_by(by_id))
        found[f"{name} by physical order"] = (
            by_rowid,
            first_by(physical(table, "response_id", round_.pk, via_response=True)),
        )
    return found


def normalise(response_id):
    """Raw SQL gives SQLite's UUIDs as text."""
    return uuid.UUID(response_id) if isinstance(response_id, str) else response_id


def test_before_the_close_the_rows_follow_the_order_people_answered_in(submissions):
    """The attack is real: while a round is open, the order on disk names who answered what
    (the README's threat model says so). The close is what takes it away."""
    round_, signature = submissions
    owner = owners(round_, signature)
    people, responses = joins(round_)["comments by id order"]
    assert hits(people, responses, owner) == SUBMISSIONS


def test_after_the_close_no_order_on_disk_or_by_key_lines_people_up_with_answers(submissions):
    round_, signature = submissions
    round_close(round=round_)
    owner = owners(round_, signature)
    assert len(owner) == SUBMISSIONS
    results = {}
    for name, (people, responses) in joins(round_).items():
        responses = [normalise(r) for r in responses]
        assert len(responses) == SUBMISSIONS, name
        results[name] = hits(people, responses, owner)
    assert max(results.values()) <= CHANCE, results


def test_after_the_close_the_respondent_secret_finds_nobody(submissions):
    round_, signature = submissions
    round_close(round=round_)
    assert set(Response.objects.filter(round=round_).values_list("respondent_key", flat=True)) == {None}
    keys = {
        respondent_key(user_id=user_id, round_id=round_.pk, team_id=round_.teams.get().pk)
        for user_id in Participation.objects.filter(round=round_).values_list("user_id", flat=True)
    }
    assert len(keys) == SUBMISSIONS
    assert not Response.objects.filter(respondent_key__in=keys).exists()


def test_after_the_close_every_answer_is_still_there(submissions, small_model):
    round_, _signature = submissions
    before = sorted(
        Answer.objects.filter(response__round=round_, response__status="submitted").values_list(
            "question_id", "value", "special"
        )
    )
    round_close(round=round_)
    after = sorted(
        Answer.objects.filter(response__round=round_).values_list("question_id", "value", "special")
    )
    assert after == before
    assert Response.objects.filter(round=round_).count() == SUBMISSIONS
    assert all(
        n == small_model.dimensions.count() * 2
        for n in Response.objects.filter(round=round_)
        .annotate(n=Count("answers"))
        .values_list("n", flat=True)
    )


@pytest.mark.postgres
def test_after_the_close_no_transaction_id_is_shared_by_a_participation_and_an_answer(submissions):
    """PostgreSQL stamps each row with the transaction that wrote it (xmin): a submit writes the
    participation and the answers in one. The close rewrites the answers in its own."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    round_, _signature = submissions

    def xmins(table: str, via_response: bool) -> set[str]:
        return {str(x) for (x,) in physical(table, "xmin", round_.pk, via_response=via_response)}

    participations = xmins("assessments_participation", False)
    assert participations & xmins("assessments_answer", True)  # the attack works while open
    round_close(round=round_)
    participations = xmins("assessments_participation", False)
    for table, via in (
        ("assessments_response", False),
        ("assessments_answer", True),
        ("assessments_comment", True),
    ):
        assert not participations & xmins(table, via), table
