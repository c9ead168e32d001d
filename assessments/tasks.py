"""Background work of the assessments app, on Django's Tasks framework (settings.TASKS).

Pages never close or score a round that is due: a worker does (``manage.py worker`` enqueues
``close_due_rounds`` every GEMBA_TICK_SECONDS). It ends in ``services.round_close``, which locks
the round and returns at once when it is already scored, so two workers, a repeated tick or a
restarted worker close and score a round exactly once; its one transaction leaves a round whose
worker was killed mid-close as it was, to be closed by the next tick.
"""

from __future__ import annotations

from django.tasks import task

from assessments import services


@task
def close_due_rounds() -> int:
    """Close and score every round whose date has passed; returns how many were closed."""
    return services.rounds_close_due()
