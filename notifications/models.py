"""Chat notifications: incoming webhooks of Slack or Microsoft Teams, per team or per group.

A webhook's URL is its secret (whoever holds it can post to the channel): it is stored sealed
(notifications/secrets.py), never shown again after it is saved, and kept out of lists and logs;
only its host is kept in the clear, to say where it posts. One notification per webhook,
round and event, whoever asks and however often.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models import Round
from notifications import secrets
from teams.models import Group, Team


class ChatWebhook(models.Model):
    class Service(models.TextChoices):
        SLACK = "slack", _("Slack (incoming webhook)")
        TEAMS = "teams", _("Microsoft Teams (Workflows or incoming webhook)")

    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. #checkout-team"))
    service = models.CharField(_("service"), max_length=10, choices=Service.choices)
    url_sealed = models.TextField(_("webhook URL (sealed)"), editable=False)
    host = models.CharField(_("posts to"), max_length=255, editable=False)
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_webhooks",
        verbose_name=_("team"),
    )
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_webhooks",
        verbose_name=_("group"),
        help_text=_("A group's webhook hears about the rounds of all its teams."),
    )
    on_round_opened = models.BooleanField(_("when a round opens"), default=True)
    on_two_days_left = models.BooleanField(_("two days before a round closes"), default=True)
    on_results_ready = models.BooleanField(_("when results are ready"), default=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("The channel's language; empty: the site's (LANGUAGE_CODE)."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Close times are written in it; empty: the site's (GEMBA_TIME_ZONE)."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("chat webhook")
        verbose_name_plural = _("chat webhooks")
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(group__isnull=True))
                | (Q(team__isnull=True) & Q(group__isnull=False)),
                name="chatwebhook_team_or_group",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return secrets.unseal(self.url_sealed)

    @url.setter
    def url(self, value: str) -> None:
        self.url_sealed = secrets.seal(value)
        self.host = urlsplit(value).hostname or ""

    def teams(self):
        return (
            Team.objects.filter(pk=self.team_id) if self.team_id else Team.objects.filter(group=self.group_id)
        )


class ChatNotification(models.Model):
    class Event(models.TextChoices):
        ROUND_OPENED = "round-opened", _("round opened")
        TWO_DAYS_LEFT = "two-days-left", _("two days left")
        RESULTS_READY = "results-ready", _("results ready")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed after every retry")

    webhook = models.ForeignKey(ChatWebhook, on_delete=models.CASCADE, related_name="notifications")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=20, choices=Event.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("chat notification")
        verbose_name_plural = _("chat notifications")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "round", "event"], name="chatnotification_once")
        ]

    def __str__(self) -> str:
        return f"{self.webhook} · {self.round} · {self.get_event_display()}"
