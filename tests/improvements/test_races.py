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


@pytest.mark.django_db(transaction=True)
def test_two_people_creating_actions_into_plan_with_one_free_place_make_exactly_one(team, member, lead):
    """A member and the lead add an action from the board at the same moment; Plan (limit 3)
    holds two cards: one gets in, the other is told the column is full, and nothing half-made
    is left behind."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL; SQLite serialises writers")
    from django.test import Client

    from improvements.models import WipLimit

    WipLimit.objects.create(team=team, stage="plan", limit=3)
    for n in range(2):
        services.action_create(team=team, title=f"Planned {n}", by=member, owner=member)
    people = [member, lead]
    barrier = threading.Barrier(len(people))
    statuses, errors = {}, []

    def create(person) -> None:
        try:
            client = Client()
            client.force_login(person, backend="accounts.backends.PasswordBackend")
            barrier.wait(timeout=10)
            response = client.post(
                "/teams/checkout/actions/", {"title": f"New from {person.username}", "owner": member.pk}
            )
            statuses[person.username] = response.status_code
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(statuses.values()) == [302, 409]
    assert Action.objects.filter(team=team, stage="plan").count() == 3
    assert StageChange.objects.filter(action__team=team, from_stage="", to_stage="plan").count() == 3
    winner = next(name for name, status in statuses.items() if status == 302)
    assert Action.objects.filter(title=f"New from {winner}").exists()
