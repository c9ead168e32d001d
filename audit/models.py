"""The audit trail for staff: who did what to rounds, models, actions and tokens, and when.

A ground-floor app (it imports none of ours) so every app can record into it. It never records
anything about answers: taking a survey is not an audited event, by design.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        ROUND_CREATED = "round.created", _("round created")
        ROUND_CLOSED = "round.closed", _("round closed")
        ROUND_REMINDED = "round.reminded", _("round reminder sent by a lead")
        SCHEDULE_CHANGED = "schedule.changed", _("schedule created, paused, resumed or ended")
        MODEL_IMPORTED = "model.imported", _("maturity model imported")
        MODEL_COPIED = "model.copied", _("maturity model copied as new version")
        MODEL_CHANGED = "model.changed", _("maturity model changed")
        # No longer written: an action's moves are in its own history (improvements.StageChange).
        ACTION_MOVED = "action.moved", _("improvement action moved")
        TOKEN_CREATED = "token.created", _("API token created")
        TOKEN_REVOKED = "token.revoked", _("API token revoked")
        WEBHOOK_CREATED = "webhook.created", _("delivery webhook created or its secret set")
        WEBHOOK_REVOKED = "webhook.revoked", _("delivery webhook revoked")
        RULES_CHANGED = "rules.changed", _("delivery rules changed and applied")
        ORG_IMPORTED = "org.imported", _("organisation imported from a directory file")
        PERSON_PROVISIONED = (
            "person.provisioned",
            _("person created, changed or removed by SCIM provisioning"),
        )
        GROUP_PROVISIONED = (
            "group.provisioned",
            _("directory group created, changed or removed by SCIM provisioning"),
        )
        ANSWERS_PURGED = "answers.purged", _("raw answers purged (retention)")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # Kept when the account is deleted, so the trail still says who it was.
    actor_name = models.CharField(_("who (name)"), max_length=150, blank=True)
    action = models.CharField(_("what"), max_length=40, choices=Action.choices, db_index=True)
    subject_type = models.CharField(_("object type"), max_length=60)
    subject_id = models.CharField(_("object id"), max_length=64, blank=True)
    subject = models.CharField(_("object"), max_length=200)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="audit_subject")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.action} {self.subject}"
