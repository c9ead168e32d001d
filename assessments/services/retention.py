"""Retention: the raw answers of old rounds deleted, their stored scores kept."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from assessments.models import Participation, Response, Round
from audit.models import AuditEvent
from audit.trail import record


@transaction.atomic
def answers_purge(*, older_than_years: int, now=None, by=None) -> int:
    """Retention: delete raw responses (answers, comments) and participations of rounds that ended
    more than ``older_than_years`` ago. Stored scores stay. Returns how many rounds were purged."""
    if older_than_years < 1:
        raise ValueError("older_than_years must be 1 or more")
    now = now or timezone.now()
    cutoff = now - timedelta(days=round(365.25 * older_than_years))
    rounds = list(Round.objects.purgeable(cutoff))
    for old in rounds:
        responses = Response.objects.filter(round=old).count()
        Response.objects.filter(round=old).delete()  # answers and comments go with them (cascade)
        Participation.objects.filter(round=old).delete()
        Round.objects.filter(pk=old.pk).update(answers_purged_at=now)
        record(AuditEvent.Action.ANSWERS_PURGED, old, by=by, responses=responses, years=older_than_years)
    return len(rounds)
