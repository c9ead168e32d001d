"""Two cards moved into a column with one free place at once: exactly one move (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from improvements import services
from improvements.models import Action, StageChange

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_two_moves_into_the_last_free_place_make_exactly_one(team, member):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL; SQLite serialises writers")
    for n in range(2):
        busy = services.action_create(team=team, title=f"Busy {n}", by=member, owner=member)
        services.action_move(action=busy, stage="do", by=member)
    cards = [
        services.action_create(team=team, title=f"Waiting {n}", by=member, owner=member) for n in range(2)
    ]
    barrier = threading.Barrier(len(cards))
    moved, refused, errors = [], [], []

    def move(card: Action) -> None:
        try:
            barrier.wait(timeout=10)
            services.action_move(action=card, stage="do", by=member)
            moved.append(card.pk)
        except services.ColumnFull:
            refused.append(card.pk)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move, args=(card,)) for card in cards]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(moved) == 1 and len(refused) == 1
    assert Action.objects.filter(team=team, stage="do").count() == 3
    assert StageChange.objects.filter(to_stage="do", action_id__in=[c.pk for c in cards]).count() == 1
    assert Action.objects.get(pk=refused[0]).stage == "plan"
