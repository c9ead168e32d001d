"""Reminders: who was nudged to take part in an open round, so nobody is nudged too often.

A batch is one reminder moment (a schedule's point, or a lead's button) with its counts; a
delivery is one email to one person, sent by a task with retries. Deliveries name people, so they
exist only while the round is open: the close deletes them and keeps the batches' counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models.rounds import Round


class ReminderBatch(models.Model):
    class Kind(models.TextChoices):
        AFTER_OPENING = "after-opening", _("by the schedule, some days after opening")
        BEFORE_CLOSING = "before-closing", _("by the schedule, some days before closing")
        LEAD = "lead", _("by hand")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reminder_batches")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("when"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    queued = models.PositiveIntegerField(_("emails queued"), default=0)
    skipped = models.PositiveIntegerField(_("left out (reminded recently or often enough)"), default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            # A schedule's reminder point fires once per round, however many workers tick.
            models.UniqueConstraint(
                fields=["round", "kind"], condition=~Q(kind="lead"), name="reminderbatch_once_per_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.get_kind_display()}"


class ReminderDelivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed after every retry")

    batch = models.ForeignKey(ReminderBatch, on_delete=models.CASCADE, related_name="deliveries")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder email")
        verbose_name_plural = _("reminder emails")
        indexes = [models.Index(fields=["round", "user"], name="reminderdelivery_round_user")]

    def __str__(self) -> str:
        return f"{self.batch} · {self.get_status_display()}"
