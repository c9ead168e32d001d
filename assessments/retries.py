"""Outgoing messages (reminder emails, chat posts) are tried again after a failure: after 1, 2, 4
and 8 minutes, then they fail for good and show as failed (the task too, for the admin)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

MAX_ATTEMPTS = 5


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt."""
    return timedelta(minutes=2 ** max(0, attempts - 1))


def follow_up(task, key: int, outcome: str, attempts: int, what: str) -> str:
    """After one attempt of ``task(key)``: enqueue the next on "retry", raise on "failed"."""
    if outcome == "retry":
        task.using(run_after=timezone.now() + retry_delay(attempts)).enqueue(key)
    if outcome == "failed":
        raise RuntimeError(f"{what} {key}: refused {MAX_ATTEMPTS} times")
    return outcome
