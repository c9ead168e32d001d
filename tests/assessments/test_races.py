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
