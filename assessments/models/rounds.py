"""Rounds: survey campaigns over some teams, with their anonymity thresholds."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models.maturity import MaturityModel
from teams.models import Team

MIN_THRESHOLD = 3
# Fields that decide what a response means or who may see it: frozen once the round opens.
FROZEN_WHEN_OPEN = ("model_id", "k", "k_detail", "opens_at")


class RoundQuerySet(models.QuerySet["Round"]):
    def open(self, now=None) -> RoundQuerySet:
        """Rounds taking answers now."""
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now, closed_at__isnull=True)

    def closed(self, now=None) -> RoundQuerySet:
        """Rounds past their end, whether closed early or by date."""
        now = now or timezone.now()
        return self.filter(Q(closed_at__isnull=False) | Q(closes_at__lte=now))

    def scored(self) -> RoundQuerySet:
        """Closed rounds whose results are stored."""
        return self.filter(scored_at__isnull=False)

    def due_for_scoring(self, now=None) -> RoundQuerySet:
        """Rounds past their date whose scores are not stored yet."""
        return self.closed(now).filter(scored_at__isnull=True)

    def being_scored(self, team=None) -> RoundQuerySet:
        """What pages announce as "results follow shortly": due rounds (of a team), oldest first."""
        due = self.due_for_scoring().order_by("closes_at")
        return due if team is None else due.filter(teams=team)

    def purgeable(self, before) -> RoundQuerySet:
        """Scored rounds that ended before this moment and still hold raw answers."""
        return self.scored().filter(
            Q(closed_at__lt=before) | Q(closed_at__isnull=True, closes_at__lt=before),
            answers_purged_at__isnull=True,
        )

    def covering(self, team: Team) -> RoundQuerySet:
        return self.filter(teams=team)

    def open_for(self, user) -> RoundQuerySet:
        """Open rounds covering a team the user belongs to, with only those teams prefetched."""
        my_teams = Team.objects.joined_by(user).active()
        return (
            self.open()
            .filter(teams__in=my_teams)
            .distinct()
            .select_related("model")
            .prefetch_related(models.Prefetch("teams", queryset=my_teams, to_attr="my_teams"))
            .order_by("closes_at", "pk")
        )

    def for_lead(self, user) -> RoundQuerySet:
        """Rounds covering at least one team the user runs."""
        return self.filter(teams__in=Team.objects.led_by(user)).distinct()


class Round(models.Model):
    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("upcoming")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("name"), max_length=120)
    model = models.ForeignKey(
        MaturityModel, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("maturity model")
    )
    teams = models.ManyToManyField(Team, related_name="rounds", verbose_name=_("teams"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    scored_at = models.DateTimeField(_("scores stored at"), null=True, blank=True, editable=False)
    # Set when retention purged the raw answers: the stored scores are then all there is.
    answers_purged_at = models.DateTimeField(
        _("raw answers purged at"), null=True, blank=True, editable=False
    )
    k = models.PositiveSmallIntegerField(
        _("anonymity threshold for scores"),
        default=3,
        validators=[MinValueValidator(MIN_THRESHOLD), MaxValueValidator(50)],
        help_text=_("Scores of a team show only with at least this many responses (3 or more)."),
    )
    k_detail = models.PositiveSmallIntegerField(
        _("anonymity threshold for details"),
        default=5,
        validators=[MinValueValidator(MIN_THRESHOLD), MaxValueValidator(50)],
        help_text=_("Answer distributions and comments show only with at least this many responses."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Opened by a schedule: its period (the opening day) is the key that opens it once only.
    schedule = models.ForeignKey(
        "assessments.Schedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rounds",
        verbose_name=_("schedule"),
    )
    period = models.DateField(_("schedule period"), null=True, blank=True, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "name"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.CheckConstraint(condition=Q(k__gte=MIN_THRESHOLD), name="round_k_at_least_3"),
            models.CheckConstraint(
                condition=Q(k_detail__gte=MIN_THRESHOLD), name="round_k_detail_at_least_3"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"
            ),
            models.UniqueConstraint(
                fields=["schedule", "period"],
                condition=Q(schedule__isnull=False),
                name="round_once_per_schedule_period",
            ),
        ]
        indexes = [models.Index(fields=["closes_at"], name="round_closes_at")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Defence in depth: forms and admin call clean(); any other writer is stopped here too.
        if self.pk:
            stored = Round.objects.filter(pk=self.pk).values(*FROZEN_WHEN_OPEN).first()
            if stored and stored["opens_at"] <= timezone.now():
                changed = [name for name in FROZEN_WHEN_OPEN if stored[name] != getattr(self, name)]
                if changed:
                    raise ValidationError(
                        _("These settings are frozen once a round opens: %s") % ", ".join(changed)
                    )
        super().save(*args, **kwargs)

    def status(self, now=None) -> Round.Status:
        now = now or timezone.now()
        if self.closed_at is not None or now >= self.closes_at:
            return self.Status.CLOSED
        if now < self.opens_at:
            return self.Status.UPCOMING
        return self.Status.OPEN

    @property
    def is_open(self) -> bool:
        return self.status() == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status() == self.Status.CLOSED

    @property
    def is_being_scored(self) -> bool:
        """Past its close, its results not stored yet: a worker closes and scores it shortly."""
        return self.scored_at is None and self.is_closed

    @property
    def has_opened(self) -> bool:
        return self.opens_at <= timezone.now() or self.closed_at is not None

    @property
    def ended_at(self):
        """When answering stopped: the early close, or the planned end."""
        return self.closed_at or self.closes_at

    def clean(self) -> None:
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("A round closes after it opens.")
        if self.k is not None and self.k_detail is not None and self.k_detail < self.k:
            errors["k_detail"] = _("The threshold for details cannot be lower than the one for scores.")
        if self.pk:
            stored = Round.objects.filter(pk=self.pk).values(*FROZEN_WHEN_OPEN).first()
            if stored and (stored["opens_at"] <= timezone.now()):
                for name in FROZEN_WHEN_OPEN:
                    if stored[name] != getattr(self, name):
                        errors[name.removesuffix("_id")] = _("Frozen: the round has opened.")
        if errors:
            raise ValidationError(errors)
