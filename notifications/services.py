"""Queueing and sending chat notifications; run from the worker's tick, any number of times."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import addresses
from addresses import address
from assessments.models import Question, Round
from assessments.retries import MAX_ATTEMPTS
from assessments.survey_time import survey_minutes
from notifications import secrets
from notifications.messages import PAYLOADS, Message
from notifications.models import ChatNotification, ChatWebhook
from teams.preferences import moment_text, speaking_to

# A webhook hears about rounds that opened or were scored in this window (not years of history
# when it is first added).
RECENT = timedelta(days=2)
TWO_DAYS = timedelta(days=2)
TIMEOUT_SECONDS = 10


def _due_events(webhook: ChatWebhook, now) -> list[tuple[Round, str]]:
    rounds = Round.objects.filter(teams__in=webhook.teams()).distinct()
    due = []
    if webhook.on_round_opened:
        opened = rounds.open(now).filter(opens_at__gte=now - RECENT)
        due += [(r, ChatNotification.Event.ROUND_OPENED) for r in opened]
    if webhook.on_two_days_left:
        closing = rounds.open(now).filter(closes_at__lte=now + TWO_DAYS, opens_at__lte=now - TWO_DAYS)
        due += [(r, ChatNotification.Event.TWO_DAYS_LEFT) for r in closing]
    if webhook.on_results_ready:
        scored = rounds.filter(scored_at__isnull=False, scored_at__gte=now - RECENT)
        due += [(r, ChatNotification.Event.RESULTS_READY) for r in scored]
    return due


def notifications_due(*, now=None) -> int:
    """Queue every chat notification whose moment has come and that was not queued yet."""
    from notifications.tasks import chat_deliver

    now = now or timezone.now()
    queued = 0
    for webhook in ChatWebhook.objects.filter(active=True):
        for round_, event in _due_events(webhook, now):
            if ChatNotification.objects.filter(webhook=webhook, round=round_, event=event).exists():
                continue
            try:
                with transaction.atomic():
                    notification = ChatNotification.objects.create(webhook=webhook, round=round_, event=event)
                    chat_deliver.enqueue(notification.pk)
            except IntegrityError:
                continue  # another worker queued it
            queued += 1
    return queued


def message_for(notification: ChatNotification) -> Message:
    round_, webhook = notification.round, notification.webhook
    base = settings.GEMBA_BASE_URL.rstrip("/")
    closes = moment_text(round_.closes_at)
    low, high = survey_minutes(Question.objects.filter(dimension__model_id=round_.model_id).count())
    minutes = str(low) if low == high else f"{low}–{high}"
    survey = base + reverse("assessments:survey_list")
    if notification.event == ChatNotification.Event.ROUND_OPENED:
        return Message(
            title=_("The survey “%(round)s” is open") % {"round": round_.name},
            text=ngettext(
                "Open until %(closes)s; it takes about %(minutes)s minute. Answers stay anonymous: "
                "results show only from %(k)s people together.",
                "Open until %(closes)s; it takes about %(minutes)s minutes. Answers stay anonymous: "
                "results show only from %(k)s people together.",
                high,
            )
            % {"closes": closes, "minutes": minutes, "k": round_.k},
            link_text=_("Take the survey"),
            url=survey,
        )
    if notification.event == ChatNotification.Event.TWO_DAYS_LEFT:
        return Message(
            title=_("Two days left for “%(round)s”") % {"round": round_.name},
            text=ngettext(
                "It closes %(closes)s. Not answered yet? It takes about %(minutes)s minute.",
                "It closes %(closes)s. Not answered yet? It takes about %(minutes)s minutes.",
                high,
            )
            % {"closes": closes, "minutes": minutes},
            link_text=_("Take the survey"),
            url=survey,
        )
    if webhook.team_id:
        url = base + address(addresses.TEAM_REVIEW, slug=webhook.team.slug, query={"round": round_.pk})
        where = webhook.team.name
    else:
        url = base + address(addresses.ORG, query={"group": webhook.group.slug, "round": round_.pk})
        where = webhook.group.name
    return Message(
        title=_("Results of “%(round)s” are ready") % {"round": round_.name},
        text=_("%(where)s can open its results and plan what to improve.") % {"where": where},
        link_text=_("Open the results"),
        url=url,
    )


def chat_deliver_once(notification_id: int) -> tuple[str, int]:
    """Post one notification; what happened (sent, retry, failed or gone), after how many attempts."""
    notification = (
        ChatNotification.objects.select_related("webhook__team", "webhook__group", "round")
        .filter(pk=notification_id, status=ChatNotification.Status.QUEUED)
        .first()
    )
    if notification is None:
        return "gone", 0
    # In the channel's language and time zone (the site's where it has none).
    with speaking_to(notification.webhook):
        payload = PAYLOADS[notification.webhook.service](message_for(notification))
    try:
        url = notification.webhook.url
    except secrets.Unreadable as error:
        notification.attempts += 1
        notification.status, notification.last_error = ChatNotification.Status.FAILED, str(error)
        notification.save(update_fields=["attempts", "status", "last_error"])
        return "failed", notification.attempts
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "Gemba"},
        method="POST",
    )
    notification.attempts += 1
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - admin-set URL
            response.read()
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        # The URL is the secret: the error keeps its class and reason, never the address.
        reason = getattr(error, "code", None) or getattr(error, "reason", None) or error.__class__.__name__
        notification.last_error = f"{type(error).__name__}: {reason}"[:300].replace(
            notification.webhook.url, "…"
        )
        if notification.attempts >= MAX_ATTEMPTS:
            notification.status = ChatNotification.Status.FAILED
            notification.save(update_fields=["attempts", "last_error", "status"])
            return "failed", notification.attempts
        notification.save(update_fields=["attempts", "last_error"])
        return "retry", notification.attempts
    notification.status, notification.sent_at = ChatNotification.Status.SENT, timezone.now()
    notification.save(update_fields=["attempts", "status", "sent_at"])
    return "sent", notification.attempts
