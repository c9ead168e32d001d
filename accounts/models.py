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
        SCIM = "scim", _("SCIM provisioning")

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
    # The provisioning client's own id for the person (SCIM externalId), as it sent it.
    external_id = models.CharField(_("id at the provisioning client"), max_length=255, blank=True)
    # Set when SCIM provisioning removed the person: deactivated, gone from SCIM, kept here.
    removed_at = models.DateTimeField(_("removed by provisioning at"), null=True, blank=True)

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


class DirectoryGroup(models.Model):
    """A group of the identity provider as SCIM provisioning keeps it, with its members. Its name
    counts as a group claim: the same GEMBA_OIDC_GROUP_MAP rules turn a person's groups into
    teams and roles, whether they come with a sign-in or from provisioning."""

    display_name = models.CharField(_("name"), max_length=255, unique=True)
    external_id = models.CharField(_("id at the provisioning client"), max_length=255, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="directory_groups", blank=True, verbose_name=_("members")
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("directory group")
        verbose_name_plural = _("directory groups")

    def __str__(self) -> str:
        return self.display_name
