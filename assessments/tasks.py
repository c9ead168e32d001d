"""Background work of the assessments app, on Django's Tasks framework (settings.TASKS).

Pages never open, close or score a round that is due: a worker does (``manage.py worker``
enqueues the periodic tasks below every GEMBA_TICK_SECONDS). Each is safe to run twice or on two
workers at once: ``services.round_close`` locks the round and returns when it is already scored;
scheduled rounds and reminder points are unique in the database. A round whose worker is killed
mid-close stays as it was (one transaction), to be closed by the next tick.
"""

from __future__ import annotations

from django.tasks import task

from assessments import results, retries, scheduling, services


@task
def open_scheduled_rounds() -> int:
    """Open the rounds of schedules whose window is open now; returns how many were opened."""
    return len(scheduling.schedules_open_due())


@task
def send_due_reminders() -> int:
    """Queue the reminders whose schedule point has come; returns how many emails were queued."""
    return sum(batch.queued for batch in scheduling.reminders_due())


@task
def close_due_rounds() -> int:
    """Close and score every round whose date has passed, then warm its dashboards; returns how
    many were closed."""
    closed = services.rounds_close_due()
    for round_id in closed:
        warm_results.enqueue(round_id)
    return len(closed)


@task
def warm_results(round_id: int) -> bool:
    """Cache a scored round's org aggregates before anyone looks (results.warm)."""
    from assessments.models import Round

    round_ = Round.objects.filter(pk=round_id).first()
    if round_ is None:
        return False
    results.warm(round_)
    return True


@task
def reminder_deliver(delivery_id: int) -> str:
    """Send one reminder email; on a mail failure try again later (retries.follow_up)."""
    outcome, attempts = scheduling.reminder_deliver_once(delivery_id)
    return retries.follow_up(reminder_deliver, delivery_id, outcome, attempts, "reminder")
