from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Group(models.Model):
    """A department or tribe: several teams under one group manager (or several)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        # "Team groups": the admin lists Django's sign-in groups as "Groups" right beside them.
        verbose_name = _("team group")
        verbose_name_plural = _("team groups (departments)")

    def __str__(self) -> str:
        return self.name


class TeamQuerySet(models.QuerySet["Team"]):
    def active(self) -> TeamQuerySet:
        return self.filter(active=True)

    def visible_to(self, user) -> TeamQuerySet:
        """Teams whose pages the user may open: their own teams, their groups' teams, all for staff."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            Q(pk__in=Membership.objects.filter(user=user).values("team"))
            | Q(group__in=GroupLead.objects.filter(user=user).values("group"))
        )

    def led_by(self, user) -> TeamQuerySet:
        """Teams the user runs: as team lead, as lead of the team's group, or as staff."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            Q(pk__in=Membership.objects.filter(user=user, role=Membership.Role.LEAD).values("team"))
            | Q(group__in=GroupLead.objects.filter(user=user).values("group"))
        )

    def joined_by(self, user) -> TeamQuerySet:
        """Teams the user belongs to as member or lead (the teams whose surveys they answer)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=Membership.objects.filter(user=user).values("team"))


class Team(models.Model):
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="teams", verbose_name=_("group"), null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def count_by_team(self, team_ids) -> dict[int, int]:
        """How many members (leads included) each of these teams has, in one query."""
        return dict(
            self.filter(team_id__in=team_ids)
            .values("team")
            .annotate(n=models.Count("id"))
            .values_list("team", "n")
        )


class Source(models.TextChoices):
    """Who keeps a membership: people in the admin, the identity provider's groups, or an import."""

    MANUAL = "", _("typed in the admin")
    SSO = "sso", _("single sign-on groups")
    DIRECTORY = "directory", _("directory import")


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        LEAD = "lead", _("lead")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    source = models.CharField(
        _("kept by"),
        max_length=10,
        choices=Source.choices,
        default=Source.MANUAL,
        blank=True,
        help_text=_("Memberships kept by sign-on groups or an import change with them; typed ones stay."),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="membership_unique_user_team")]
        indexes = [models.Index(fields=["team", "role"], name="membership_team_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} ({self.get_role_display()})"


class GroupLead(models.Model):
    """A group manager: sees and runs every team of the group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="leads", verbose_name=_("group"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_leads", verbose_name=_("user")
    )
    source = models.CharField(
        _("kept by"), max_length=10, choices=Source.choices, default=Source.MANUAL, blank=True
    )

    class Meta:
        ordering = ["group__name", "user__username"]
        verbose_name = _("group lead")
        verbose_name_plural = _("group leads")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="grouplead_unique_group_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.group}"


class Preferences(models.Model):
    """A person's language and time zone: pages, charts, dates and e-mails follow them.

    Blank means not chosen yet: the language then comes from the browser, and the time zone is
    taken from the browser at the first visit (GEMBA_TIME_ZONE until then).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preferences",
        verbose_name=_("user"),
    )
    # No choices on the field: a new language in settings.LANGUAGES needs no migration.
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.language or '-'} · {self.time_zone or '-'}"
