from unittest.mock import patch

from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper


def test_healthz_answers_ok_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_healthz_answers_503_with_a_reason_when_the_database_is_down(client, db):
    def refuse(self):
        raise OperationalError("connection refused: secret-host:5432 password=hunter2")

    with patch.object(BaseDatabaseWrapper, "ensure_connection", refuse):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reason"]
    assert "hunter2" not in response.content.decode()
    assert "secret-host" not in response.content.decode()


def test_healthz_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405


def test_healthz_says_when_the_worker_last_ran(client, db):
    from django.core.management import call_command

    assert client.get("/healthz").json()["queue"]["worker_last_ran"] is None
    call_command("worker", "--batch")  # looks for due work once: one task runs
    queue = client.get("/healthz").json()["queue"]
    assert queue["worker_last_ran"] is not None and queue["ready_tasks"] == 0


def test_healthz_answers_503_when_a_task_waits_too_long(client, db, settings):
    import time_machine

    from assessments.tasks import close_due_rounds

    settings.GEMBA_QUEUE_STALE_SECONDS = 600
    with time_machine.travel("2026-12-01 09:00 +0000", tick=False):
        close_due_rounds.enqueue()
    with time_machine.travel("2026-12-01 09:09 +0000", tick=False):
        assert client.get("/healthz").status_code == 200
    with time_machine.travel("2026-12-01 09:11 +0000", tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["queue"]["ready_tasks"] == 1 and "worker" in body["reason"]


def test_healthz_answers_503_when_a_round_past_its_close_is_not_scored(client, db, settings, team):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import make_model, make_round

    settings.GEMBA_QUEUE_STALE_SECONDS = 600
    round_ = make_round(model=make_model(), teams=[team], state="past")
    round_.__class__.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - timedelta(minutes=5))
    assert client.get("/healthz").status_code == 200
    round_.__class__.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - timedelta(minutes=11))
    response = client.get("/healthz")
    assert response.status_code == 503 and "round" in response.json()["reason"]
