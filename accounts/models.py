from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalAccount(models.Model):
    """A Gemba account that another system keeps: the identity provider (by issuer and subject)
    or a directory import. Such accounts follow it: their teams, and whether they may sign in."""

    class Source(models.TextChoices):
        OIDC = "oidc", _("single sign-on")
        DIRECTORY = "directory", _("directory import")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_account",
        verbose_name=_("user"),
    )
    source = models.CharField(_("kept by"), max_length=10, choices=Source.choices)
    issuer = models.CharField(_("issuer"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    last_seen_at = models.DateTimeField(_("last seen at the provider"), null=True, blank=True)

    class Meta:
        verbose_name = _("external account")
        verbose_name_plural = _("external accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"],
                condition=~models.Q(subject=""),
                name="externalaccount_unique_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_source_display()})"
