"""The task queue as the site sees it: the periodic tick that enqueues due work, and the queue's
health for /healthz. The queue itself is django-tasks-db's table (settings.TASKS)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.models import Round
from assessments.tasks import close_due_rounds, open_scheduled_rounds, send_due_reminders
from delivery.models import WebhookDelivery
from notifications.tasks import notify_due
from portal.tasks import warm_due

logger = logging.getLogger(__name__)

# Enqueued by every worker's ticker; the tasks are idempotent, so several workers are safe. In
# this order: a round the tick closes has its pages warmed by the same tick.
PERIODIC = (open_scheduled_rounds, send_due_reminders, close_due_rounds, notify_due, warm_due)


# Finished tasks kept for the admin's list: the ticks alone add a few thousand a day.
KEEP_SUCCESSFUL = timedelta(days=1)
KEEP_FAILED = timedelta(days=30)
KEEP_DELIVERIES = timedelta(days=90)


def prune(now=None) -> int:
    """Delete successful task results older than a day, failed ones older than 30 days, and the
    log of webhook deliveries older than KEEP_DELIVERIES (providers redeliver within days)."""
    now = now or timezone.now()
    done = DBTaskResult.objects.successful().filter(finished_at__lt=now - KEEP_SUCCESSFUL)
    failed = DBTaskResult.objects.failed().filter(finished_at__lt=now - KEEP_FAILED)
    deliveries = WebhookDelivery.objects.filter(received_at__lt=now - KEEP_DELIVERIES)
    return done.delete()[0] + failed.delete()[0] + deliveries.delete()[0]


def tick() -> int:
    """Enqueue each periodic task that is not already waiting (and prune old results); returns
    how many were enqueued."""
    prune()
    enqueued = 0
    for periodic in PERIODIC:
        if not DBTaskResult.objects.ready().filter(task_path=periodic.module_path).exists():
            periodic.enqueue()
            enqueued += 1
    return enqueued


@dataclass(frozen=True)
class QueueHealth:
    worker_last_ran: datetime | None
    ready: int
    oldest_ready: datetime | None
    oldest_due_round: datetime | None
    stale_after: timedelta

    @property
    def problem(self) -> str | None:
        """Why the queue looks stuck, or None when it moves."""
        now = timezone.now()
        if self.oldest_ready is not None and now - self.oldest_ready > self.stale_after:
            return "tasks have waited longer than GEMBA_QUEUE_STALE_SECONDS: is a worker running?"
        if self.oldest_due_round is not None and now - self.oldest_due_round > self.stale_after:
            return "a round past its close has not been scored: is a worker running?"
        return None

    def as_dict(self) -> dict:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "worker_last_ran": iso(self.worker_last_ran),
            "ready_tasks": self.ready,
            "oldest_ready_task": iso(self.oldest_ready),
            "oldest_round_waiting_to_close": iso(self.oldest_due_round),
        }


def queue_health() -> QueueHealth:
    # A task is due from its run_after, or from when it was enqueued when it has none (the
    # backend stores "none" as the largest date).
    ready = DBTaskResult.objects.ready().aggregate(n=Count("id"), enqueued=Min("enqueued_at"))
    return QueueHealth(
        worker_last_ran=DBTaskResult.objects.aggregate(last=Max("finished_at"))["last"],
        ready=ready["n"],
        oldest_ready=ready["enqueued"],
        oldest_due_round=Round.objects.due_for_scoring().aggregate(oldest=Min("closes_at"))["oldest"],
        stale_after=timedelta(seconds=settings.GEMBA_QUEUE_STALE_SECONDS),
    )
