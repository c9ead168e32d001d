"""Chat notifications as tasks: queued by the worker's tick, each post retried on failure."""

from __future__ import annotations

from django.tasks import task

from assessments import retries
from notifications import services


@task
def notify_due() -> int:
    """Queue the chat notifications whose moment has come; returns how many."""
    return services.notifications_due()


@task
def chat_deliver(notification_id: int) -> str:
    """Post one notification; on failure try again later (retries.follow_up)."""
    outcome, attempts = services.chat_deliver_once(notification_id)
    return retries.follow_up(chat_deliver, notification_id, outcome, attempts, "chat notification")
