"""Schedules: rounds that open and close by themselves, on a cadence, over some teams."""

from __future__ import annotations

from datetime import date, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments import cadence
from assessments.models.maturity import MaturityModel
from assessments.models.rounds import MIN_THRESHOLD
from teams.access import teams_with_live_counts
from teams.models import Team


class ScheduleQuerySet(models.QuerySet["Schedule"]):
    def active(self, today: date | None = None) -> ScheduleQuerySet:
        """Not paused, not past their end."""
        today = today or timezone.localdate()
        return self.filter(paused=False).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))

    def for_lead(self, user) -> ScheduleQuerySet:
        """Schedules over at least one team this person runs (a lead, their group's manager, staff)."""
        return self.filter(teams__in=teams_with_live_counts(user)).distinct()


class Schedule(models.Model):
    class Cadence(models.TextChoices):
        MONTHLY = cadence.MONTHLY, _("every month")
        WEEKS = cadence.WEEKS, _("every N weeks")
        QUARTERLY = cadence.QUARTERLY, _("every quarter")

    name = models.CharField(
        _("name"), max_length=100, help_text=_("Rounds are named after it and their date.")
    )
    model = models.ForeignKey(
        MaturityModel, on_delete=models.PROTECT, related_name="schedules", verbose_name=_("maturity model")
    )
    teams = models.ManyToManyField(Team, related_name="schedules", verbose_name=_("teams"))
    cadence = models.CharField(
        _("cadence"), max_length=12, choices=Cadence.choices, default=Cadence.QUARTERLY
    )
    every_weeks = models.PositiveSmallIntegerField(
        _("every how many weeks"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text=_("Only for “every N weeks”."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Its opening time is read in it: the zone of the lead who made it (empty: the site's)."),
    )
    starts_on = models.DateField(
        _("first opening day"),
        help_text=_(
            "Rounds open on this day, then on the same weekday (every N weeks) or the same day of "
            "the month (monthly, quarterly; the month's last day when it is shorter)."
        ),
    )
    opens_at_time = models.TimeField(_("opening time"), default=time(9, 0))
    open_days = models.PositiveSmallIntegerField(
        _("days open"), default=14, validators=[MinValueValidator(1), MaxValueValidator(89)]
    )
    k = models.PositiveSmallIntegerField(
        _("anonymity threshold for scores"), default=3, validators=[MinValueValidator(MIN_THRESHOLD)]
    )
    k_detail = models.PositiveSmallIntegerField(
        _("anonymity threshold for details"), default=5, validators=[MinValueValidator(MIN_THRESHOLD)]
    )
    remind_after_days = models.PositiveSmallIntegerField(
        _("remind this many days after opening"), default=3, help_text=_("0: no reminder then.")
    )
    remind_before_close_days = models.PositiveSmallIntegerField(
        _("remind this many days before closing"), default=1, help_text=_("0: no reminder then.")
    )
    max_reminders = models.PositiveSmallIntegerField(
        _("reminders per person and round, at most"),
        default=2,
        validators=[MaxValueValidator(10)],
        help_text=_("Counting the lead's reminders too."),
    )
    reminder_gap_hours = models.PositiveSmallIntegerField(
        _("hours between two reminders to one person, at least"), default=24
    )
    paused = models.BooleanField(_("paused"), default=False, help_text=_("Opens no new round while paused."))
    ends_on = models.DateField(_("last opening day"), null=True, blank=True, help_text=_("Empty: no end."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        constraints = [
            models.CheckConstraint(condition=Q(k__gte=MIN_THRESHOLD), name="schedule_k_at_least_3"),
            models.CheckConstraint(
                condition=Q(k_detail__gte=MIN_THRESHOLD), name="schedule_k_detail_at_least_3"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone_name(self) -> str:
        return self.time_zone or settings.TIME_ZONE

    @property
    def spec(self) -> cadence.Cadence:
        return cadence.Cadence(
            kind=self.cadence,
            starts_on=self.starts_on,
            open_days=self.open_days,
            opens_at=self.opens_at_time,
            every_weeks=self.every_weeks,
            zone=self.time_zone or settings.TIME_ZONE,
        )

    def clean(self) -> None:
        errors = {}
        if self.k_detail is not None and self.k is not None and self.k_detail < self.k:
            errors["k_detail"] = _("The threshold for details cannot be below the one for scores.")
        if self.open_days and self.cadence:
            longest = self.spec.longest_window() if self.starts_on else None
            if longest is not None and self.open_days > longest:
                errors["open_days"] = _(
                    "A round of this cadence can stay open %(n)d days at most, "
                    "or it would run into the next one."
                ) % {"n": longest}
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last opening day cannot come before the first.")
        if errors:
            raise ValidationError(errors)

    def upcoming(self, count: int = 3, now=None) -> list[cadence.Window]:
        """The next windows this schedule will open (none while paused)."""
        if self.paused:
            return []
        return cadence.upcoming(self.spec, now or timezone.now(), count, until=self.ends_on)

    def round_name(self, period: date) -> str:
        return f"{self.name} {period:%Y-%m-%d}"
