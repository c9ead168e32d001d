"""Writes of schedules and reminders: opening scheduled rounds and queueing reminder emails.

Both run from the worker's tick (assessments/tasks.py), any number of times and on any number of
workers: a round is unique per schedule and period, a schedule's reminder point per round
(database constraints), so a repeated or concurrent call changes nothing. A worker that was down
catches up on the window still open and never opens one that has already closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments import cadence
from assessments.models import (
    Participation,
    Question,
    ReminderBatch,
    ReminderDelivery,
    Round,
    Schedule,
)
from assessments.retries import MAX_ATTEMPTS
from assessments.survey_time import survey_minutes
from audit.models import AuditEvent
from audit.trail import record
from teams.models import Membership, Team
from teams.preferences import moment_text, preferences_of, speaking_to

# A round without a schedule (made by hand) reminds by these rules.
DEFAULT_MAX_REMINDERS = 2
DEFAULT_REMINDER_GAP = timedelta(hours=24)


def schedules_open_due(*, now=None) -> list[Round]:
    """Open the round of every active schedule whose window is open now and has no round yet."""
    now = now or timezone.now()
    opened = []
    schedules = Schedule.objects.active(today=timezone.localdate(now)).select_related("model")
    for schedule in schedules:
        window = cadence.current(schedule.spec, now)
        if window is None or (schedule.ends_on and window.period > schedule.ends_on):
            continue
        if Round.objects.filter(schedule=schedule, period=window.period).exists():
            continue
        teams = list(schedule.teams.active())
        if not teams:
            continue
        try:
            with transaction.atomic():
                round_ = Round.objects.create(
                    name=schedule.round_name(window.period),
                    model=schedule.model,
                    opens_at=window.opens_at,
                    closes_at=window.closes_at,
                    k=schedule.k,
                    k_detail=schedule.k_detail,
                    schedule=schedule,
                    period=window.period,
                    created_by=schedule.created_by,
                )
                round_.teams.set(teams)
                record(AuditEvent.Action.ROUND_CREATED, round_, by=None, schedule=schedule.name)
        except IntegrityError:
            continue  # another worker opened it a moment ago
        opened.append(round_)
    return opened


@transaction.atomic
def schedule_create(*, form, by) -> Schedule:
    schedule = form.save(commit=False)
    schedule.created_by = by
    # The opening time was entered in the lead's own zone (the form said which): it stays in it.
    schedule.time_zone = timezone.get_current_timezone_name()
    schedule.save()
    form.save_m2m()
    record(AuditEvent.Action.SCHEDULE_CHANGED, schedule, by=by, change="created")
    return schedule


@transaction.atomic
def schedule_change(*, schedule: Schedule, action: str, by) -> Schedule:
    """pause, resume or end (no new round from today on; its rounds stay as they are)."""
    if action == "pause":
        schedule.paused = True
    elif action == "resume":
        schedule.paused = False
    elif action == "end":
        schedule.ends_on = timezone.localdate() - timedelta(days=1)
        schedule.paused = False
    else:
        raise ValueError(action)
    schedule.save(update_fields=["paused", "ends_on"])
    record(AuditEvent.Action.SCHEDULE_CHANGED, schedule, by=by, change=action)
    return schedule


def reminder_rules(round_: Round) -> tuple[int, timedelta]:
    """At most how many reminders per person, and the least time between two, for this round."""
    if round_.schedule_id:
        return round_.schedule.max_reminders, timedelta(hours=round_.schedule.reminder_gap_hours)
    return DEFAULT_MAX_REMINDERS, DEFAULT_REMINDER_GAP


def reminders_due(*, now=None) -> list[ReminderBatch]:
    """Queue the reminders of every open scheduled round whose reminder point has come."""
    now = now or timezone.now()
    queued = []
    for round_ in Round.objects.open(now).filter(schedule__isnull=False).select_related("schedule"):
        schedule = round_.schedule
        points = []
        if schedule.remind_after_days:
            at = round_.opens_at + timedelta(days=schedule.remind_after_days)
            points.append((ReminderBatch.Kind.AFTER_OPENING, at))
        if schedule.remind_before_close_days:
            at = round_.closes_at - timedelta(days=schedule.remind_before_close_days)
            points.append((ReminderBatch.Kind.BEFORE_CLOSING, at))
        for kind, at in points:
            if at <= now and not ReminderBatch.objects.filter(round=round_, kind=kind).exists():
                batch = reminders_queue(round=round_, teams=round_.teams.all(), kind=kind, now=now)
                if batch is not None:
                    queued.append(batch)
    return queued


def reminders_queue(
    *, round: Round, teams: Iterable[Team], kind: str, by=None, now=None
) -> ReminderBatch | None:
    """Queue one reminder email to each member of these teams who has not taken part yet, leaving
    out who already had the round's maximum or was reminded within its gap. None when this
    schedule point was queued already (by another worker)."""
    now = now or timezone.now()
    most, gap = reminder_rules(round)
    taken = Participation.objects.filter(round=round, user=OuterRef("user"), team=OuterRef("team"))
    candidates = set(
        Membership.objects.filter(team__in=list(teams), user__is_active=True)
        .exclude(user__email="")
        .exclude(Exists(taken))
        .values_list("user_id", flat=True)
    )
    history = {
        user_id: (n, last)
        for user_id, n, last in ReminderDelivery.objects.filter(round=round, user_id__in=candidates)
        .exclude(status=ReminderDelivery.Status.FAILED)
        .values("user_id")
        .annotate(n=Count("id"), last=Max("created_at"))
        .values_list("user_id", "n", "last")
    }
    chosen = sorted(
        user_id
        for user_id in candidates
        if user_id not in history or (history[user_id][0] < most and history[user_id][1] <= now - gap)
    )
    if not chosen and kind == ReminderBatch.Kind.LEAD:
        # Nobody to remind: nothing to record (a schedule's point is recorded, so it fires once).
        return ReminderBatch(round=round, kind=kind, by=by, queued=0, skipped=len(candidates))
    try:
        with transaction.atomic():
            batch = ReminderBatch.objects.create(
                round=round, kind=kind, by=by, queued=len(chosen), skipped=len(candidates) - len(chosen)
            )
            deliveries = ReminderDelivery.objects.bulk_create(
                ReminderDelivery(batch=batch, round=round, user_id=user_id) for user_id in chosen
            )
            if by is not None:
                record(AuditEvent.Action.ROUND_REMINDED, round, by=by, queued=len(chosen))
            # In the same transaction: the queue (a table of this database) holds the emails
            # exactly when their deliveries exist.
            from assessments.tasks import reminder_deliver

            for delivery in deliveries:
                reminder_deliver.enqueue(delivery.pk)
    except IntegrityError:
        return None
    return batch


@transaction.atomic
def reminders_retry(*, batches) -> int:
    """Queue again the reminder emails of these batches that failed after every retry."""
    from assessments.tasks import reminder_deliver

    failed = list(
        ReminderDelivery.objects.filter(batch__in=batches, status=ReminderDelivery.Status.FAILED).values_list(
            "pk", flat=True
        )
    )
    ReminderDelivery.objects.filter(pk__in=failed).update(status=ReminderDelivery.Status.QUEUED, attempts=0)
    for pk in failed:
        reminder_deliver.enqueue(pk)
    return len(failed)


def last_reminder(round_: Round) -> ReminderBatch | None:
    """The latest reminder that emailed anyone."""
    return ReminderBatch.objects.filter(round=round_, queued__gt=0).select_related("by").first()


# --- Sending ---------------------------------------------------------------------------------


def reminder_message(round_: Round) -> tuple[str, str]:
    """Subject and body of a reminder: the round's own close, length and anonymity threshold."""
    survey_url = settings.GEMBA_BASE_URL.rstrip("/") + reverse("assessments:survey_list")
    subject = _("Gemba: your team's survey “%(round)s” is open") % {"round": round_.name}
    low, high = survey_minutes(Question.objects.filter(dimension__model_id=round_.model_id).count())
    body = ngettext(
        "Hello,\n\nThe survey “%(round)s” is open until %(closes)s. It takes about %(minutes)s minute and "
        "your answers stay anonymous: your team sees only results of %(k)s or more people together.\n\n"
        "Take it here: %(url)s\n\nThank you!",
        "Hello,\n\nThe survey “%(round)s” is open until %(closes)s. It takes about %(minutes)s minutes and "
        "your answers stay anonymous: your team sees only results of %(k)s or more people together.\n\n"
        "Take it here: %(url)s\n\nThank you!",
        high,
    ) % {
        "round": round_.name,
        "closes": moment_text(round_.closes_at),
        "minutes": str(low) if low == high else f"{low}–{high}",
        "k": round_.k,
        "url": survey_url,
    }
    return subject, body


def reminder_deliver_once(delivery_id: int) -> tuple[str, int]:
    """Send one queued reminder email; what happened (sent, retry, failed or gone) and after how
    many attempts."""
    delivery = (
        ReminderDelivery.objects.select_related("round", "user")
        .filter(pk=delivery_id, status=ReminderDelivery.Status.QUEUED)
        .first()
    )
    if delivery is None:
        return "gone", 0  # the round closed (its deliveries are deleted), or it went out already
    taken = Participation.objects.filter(round=delivery.round, user=delivery.user).exists()
    if not delivery.round.is_open or taken:
        delivery.delete()
        return "gone", delivery.attempts
    # In the person's language and time zone: the close is their local time, with its zone.
    with speaking_to(preferences_of(delivery.user)):
        subject, body = reminder_message(delivery.round)
    delivery.attempts += 1
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [delivery.user.email], fail_silently=False)
    except Exception as error:  # noqa: BLE001 - any mail failure is retried, then shown as failed
        delivery.last_error = f"{type(error).__name__}: {error}"[:300]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = ReminderDelivery.Status.FAILED
            delivery.save(update_fields=["attempts", "last_error", "status"])
            return "failed", delivery.attempts
        delivery.save(update_fields=["attempts", "last_error"])
        return "retry", delivery.attempts
    delivery.status, delivery.sent_at = ReminderDelivery.Status.SENT, timezone.now()
    delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return "sent", delivery.attempts
