"""manage.py worker: due rounds close and score in the background, exactly once, never half."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.models import Response, Round, TeamScore
from audit.models import AuditEvent
from portal import queue
from tests.factories import MembershipFactory, answer_all, make_model, make_round


@pytest.fixture
def answered_round(db, team):
    round_ = make_round(model=make_model(points=5), teams=[team], k=3, name="Q4 pulse")
    for _ in range(3):
        answer_all(round_, team, MembershipFactory(team=team).user, "4")
    return round_


def closes(round_) -> int:
    return AuditEvent.objects.filter(action=AuditEvent.Action.ROUND_CLOSED, subject_id=str(round_.pk)).count()


def test_a_due_round_closes_by_itself_while_nobody_visits_a_page(client_for, member, answered_round):
    with time_machine.travel(answered_round.closes_at + timedelta(minutes=2)):
        page = client_for(member).get("/teams/checkout/")
        assert "its results are being computed" in page.content.decode()
        answered_round.refresh_from_db()
        assert answered_round.scored_at is None  # the page closed nothing

        call_command("worker", "--batch")

        answered_round.refresh_from_db()
        assert answered_round.scored_at is not None
        assert TeamScore.objects.get(round=answered_round).responses == 3
        page = client_for(member).get("/teams/checkout/")
        assert "its results are being computed" not in page.content.decode()
        assert page.context["results"].round == answered_round


def test_workers_ticking_again_close_a_round_once(answered_round):
    with time_machine.travel(answered_round.closes_at + timedelta(minutes=2)):
        for _ in range(3):
            call_command("worker", "--batch")
    assert closes(answered_round) == 1
    ticks = DBTaskResult.objects.successful().filter(task_path="assessments.tasks.close_due_rounds")
    assert ticks.count() == 3


def test_a_tick_enqueues_nothing_while_the_last_one_still_waits(db):
    assert queue.tick() == len(queue.PERIODIC) == 5  # open, remind, close, notify, warm
    assert queue.tick() == 0
    assert DBTaskResult.objects.ready().count() == 5


def test_a_worker_killed_mid_close_leaves_the_round_open_and_the_next_one_closes_it(answered_round):
    keys = set(Response.objects.filter(round=answered_round).values_list("pk", "respondent_key"))

    with time_machine.travel(answered_round.closes_at + timedelta(minutes=2)):
        # The process dies while the scores are written: after the anonymising copy, before the end.
        with mock.patch("assessments.services.rounds.scores_store", side_effect=SystemExit("killed")):
            call_command("worker", "--batch")
        failed = DBTaskResult.objects.failed().get()
        assert failed.exception_class_path.endswith("SystemExit")
        answered_round.refresh_from_db()
        assert answered_round.scored_at is None and answered_round.closed_at is None
        # Nothing half-done: the responses are as they were, not rewritten, not scored.
        assert set(Response.objects.filter(round=answered_round).values_list("pk", "respondent_key")) == keys
        assert not TeamScore.objects.filter(round=answered_round).exists()

        call_command("worker", "--batch")

    answered_round.refresh_from_db()
    assert answered_round.scored_at is not None and closes(answered_round) == 1
    assert not Response.objects.filter(round=answered_round, respondent_key__isnull=False).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_close_each_round_once(team, other_team):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL; SQLite serialises writers")
    from assessments.tasks import close_due_rounds

    model = make_model(points=5)
    rounds = []
    for name, covered in (("A", team), ("B", other_team)):
        round_ = make_round(model=model, teams=[covered], k=3, name=name)
        for _ in range(3):
            answer_all(round_, covered, MembershipFactory(team=covered).user, "4")
        rounds.append(round_)
    Round.objects.update(closes_at=timezone.now() - timedelta(minutes=1))
    barrier = threading.Barrier(2)
    errors = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            close_due_rounds.call()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [closes(r) for r in rounds] == [1, 1]
    assert TeamScore.objects.count() == 2


def test_after_a_close_the_worker_warms_the_org_aggregates(answered_round, settings):
    from django.core.cache import cache

    import caching

    with time_machine.travel(answered_round.closes_at + timedelta(minutes=2)):
        run = DBTaskResult.objects.filter(task_path="assessments.tasks.warm_results")
        call_command("worker", "--batch")
        assert run.successful().count() == 1
        answered_round.refresh_from_db()
        key = caching.key("results:org-median", (answered_round.pk, answered_round.scored_at))
        assert cache.get(key) is not None


def test_old_task_results_are_pruned_failed_ones_kept_longer(db):
    with time_machine.travel("2026-11-01 09:00 +0000", tick=False):
        call_command("worker", "--batch")  # five successful periodic tasks
    with time_machine.travel("2026-11-01 09:30 +0000", tick=False):
        queue.tick()
    assert DBTaskResult.objects.successful().count() == 5  # younger than a day: kept
    DBTaskResult.objects.successful().filter(task_path="notifications.tasks.notify_due").update(
        status="FAILED"
    )
    with time_machine.travel("2026-11-03 09:00 +0000", tick=False):
        queue.tick()
    assert DBTaskResult.objects.successful().count() == 0
    assert DBTaskResult.objects.failed().count() == 1


def test_the_webhook_delivery_log_is_pruned_after_ninety_days(team):
    from delivery.models import WebhookDelivery
    from delivery.services import webhook_create

    webhook, _secret = webhook_create(team=team, provider="github")
    with time_machine.travel("2026-08-01 09:00 +0000", tick=False):
        WebhookDelivery.objects.create(webhook=webhook, delivery_id="old", event="ping", outcome="ignored")
    with time_machine.travel("2026-10-25 09:00 +0000", tick=False):
        WebhookDelivery.objects.create(webhook=webhook, delivery_id="new", event="ping", outcome="ignored")
    with time_machine.travel("2026-11-01 09:00 +0000", tick=False):
        queue.prune()
    assert list(WebhookDelivery.objects.values_list("delivery_id", flat=True)) == ["new"]


def test_after_a_close_the_first_view_of_a_dashboard_draws_no_chart(
    answered_round, team, member, client_for, monkeypatch
):
    import pygal

    from portal import warming

    with time_machine.travel(answered_round.closes_at + timedelta(minutes=2)):
        call_command("worker", "--batch")
        warmed = DBTaskResult.objects.filter(task_path="portal.tasks.warm_due").successful().get()
        assert warmed.return_value["rounds"] == 1 and warmed.return_value["teams"] >= 1
        assert warming.due() == {"rounds": 0, "teams": 0}  # marked: nothing is warmed twice
        drawn = []
        render = pygal.graph.public.PublicApi.render
        monkeypatch.setattr(
            pygal.graph.public.PublicApi,
            "render",
            lambda self, *a, **k: drawn.append(self) or render(self, *a, **k),
        )
        response = client_for(member).get("/teams/checkout/")
        assert response.status_code == 200 and response.context["charts"]
        assert drawn == []


def test_workers_share_a_large_round_batch_by_batch(db, monkeypatch):
    """Each batch of a round's teams is claimed on its own: a second worker running at the same
    time takes the batches the first has not, and no team is warmed twice."""
    from assessments.services.rounds import round_close
    from portal import warming
    from tests.factories import TeamFactory

    monkeypatch.setattr(warming, "BATCH", 2)
    teams = [TeamFactory() for _ in range(5)]
    round_ = make_round(model=make_model(points=5), teams=teams, k=3, name="Big pulse")
    for team in teams:
        for _ in range(3):
            answer_all(round_, team, MembershipFactory(team=team).user, "4")
    with time_machine.travel(round_.closes_at + timedelta(minutes=2)):
        round_ = round_close(round=round_)
        # Another worker holds the first batch (teams 1 and 2) and the round's org pages.
        assert warming._mark("round-teams", (round_.pk, round_.scored_at, 0))
        assert warming._mark("round", (round_.pk, round_.scored_at))
        warmed = []
        monkeypatch.setattr(warming, "team_pages", lambda team, languages: warmed.append(team.pk))
        done = warming.due()
    assert done["rounds"] == 0 and done["teams"] == 3
    assert sorted(warmed) == sorted(team.pk for team in teams)[2:]
