"""Two submits of one member racing: exactly one response, one participation (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from assessments.models import Participation, Question, Response
from assessments.services import response_save
from tests.factories import MembershipFactory, make_model, make_round

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_double_submit_creates_exactly_one_response(team):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL; SQLite serialises writers")
    model = make_model(points=5)
    round_ = make_round(model=model, teams=[team])
    user = MembershipFactory(team=team).user
    questions = list(Question.objects.filter(dimension__model=model))
    barrier = threading.Barrier(4)
    errors = []

    def submit(value: str) -> None:
        try:
            barrier.wait(timeout=10)
            response_save(
                round=round_,
                team=team,
                user=user,
                answers={q.pk: value for q in questions},
                comments={},
                submit=True,
            )
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(str(v),)) for v in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Response.objects.count() == 1
    assert Participation.objects.count() == 1
    response = Response.objects.get()
    assert response.status == "submitted"
    # One submit won last: all its answers, none mixed in from another.
    values = set(response.answers.values_list("value", flat=True))
    assert len(values) == 1 and response.answers.count() == len(questions)


def _submit_over_http(round_, team, user, questions):
    """Submit through the survey page from this thread's own connection; True when it was taken."""
    from django.test import Client

    client = Client()
    client.force_login(user, backend="accounts.backends.PasswordBackend")
    data = {f"q{q.pk}": "4" for q in questions} | {"action": "submit"}
    response = client.post(f"/surveys/{round_.pk}/{team.slug}/", data)
    return response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_submit_that_waits_for_a_closing_round_is_refused_and_writes_nothing(team):
    """The close holds the round; the submit, checked open a moment earlier, waits — and then
    must see the round closed, not slip its answers into a round whose scores are stored."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL; SQLite serialises writers")
    from django.db import transaction

    from assessments.models import TeamScore
    from assessments.services import round_close

    model = make_model(points=5)
    round_ = make_round(model=model, teams=[team])
    questions = list(Question.objects.filter(dimension__model=model))
    late = MembershipFactory(team=team).user
    closing, release, outcome = threading.Event(), threading.Event(), {}

    def close() -> None:
        try:
            with transaction.atomic():
                round_close(round=round_)
                closing.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    def submit() -> None:
        try:
            outcome["taken"] = _submit_over_http(round_, team, late, questions)
        finally:
            connections.close_all()

    closer = threading.Thread(target=close)
    closer.start()
    assert closing.wait(timeout=10)
    submitter = threading.Thread(target=submit)
    submitter.start()
    submitter.join(timeout=1.0)  # it is waiting for the close's lock
    release.set()
    closer.join(timeout=10)
    submitter.join(timeout=10)
    assert outcome == {"taken": False}
    assert not Participation.objects.filter(user=late).exists()
    assert not Response.objects.filter(round=round_).exists()
    assert TeamScore.objects.get(round=round_, team=team).responses == 0


@pytest.mark.django_db(transaction=True)
def test_submits_racing_a_close_are_counted_or_refused_never_lost(team):
    """Six members submit while their lead closes the round, all at once, three times over:
    every submit the page accepted is in the stored scores; every refused one wrote nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL; SQLite serialises writers")
    from assessments.models import TeamScore
    from assessments.services import round_close

    model = make_model(points=5)
    questions = list(Question.objects.filter(dimension__model=model))
    people = [MembershipFactory(team=team).user for _ in range(6)]
    for attempt in range(3):
        round_ = make_round(model=model, teams=[team], k=3, name=f"Race {attempt}")
        barrier = threading.Barrier(len(people) + 1)
        taken, errors = {}, []

        def submit(user, round_=round_, barrier=barrier, taken=taken, errors=errors) -> None:
            try:
                barrier.wait(timeout=10)
                taken[user.pk] = _submit_over_http(round_, team, user, questions)
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                errors.append(error)
            finally:
                connections.close_all()

        def close(round_=round_, barrier=barrier, errors=errors) -> None:
            try:
                barrier.wait(timeout=10)
                round_close(round=round_)
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=submit, args=(user,)) for user in people]
        threads.append(threading.Thread(target=close))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        accepted = {pk for pk, ok in taken.items() if ok}
        assert len(taken) == len(people)
        assert set(Participation.objects.filter(round=round_).values_list("user_id", flat=True)) == accepted
        assert Response.objects.filter(round=round_).count() == len(accepted)
        assert TeamScore.objects.get(round=round_, team=team).responses == len(accepted)
