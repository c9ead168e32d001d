"""Chat notifications as tasks: queued by the worker's tick, each post retried on failure."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from notifications import services


@task
def notify_due() -> int:
    """Queue the chat notifications whose moment has come; returns how many."""
    return services.notifications_due()


@task
def chat_deliver(notification_id: int) -> str:
    """Post one notification; on failure try again after 1, 2, 4, 8 minutes, then fail."""
    from notifications.models import ChatNotification

    outcome = services.chat_deliver_once(notification_id)
    if outcome == "retry":
        attempts = (
            ChatNotification.objects.filter(pk=notification_id).values_list("attempts", flat=True).first()
        )
        delay = timedelta(minutes=2 ** max(0, (attempts or 1) - 1))
        chat_deliver.using(run_after=timezone.now() + delay).enqueue(notification_id)
    if outcome == "failed":
        raise RuntimeError(f"chat notification {notification_id}: refused {services.MAX_ATTEMPTS} times")
    return outcome
