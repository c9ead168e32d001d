"""Lean improvement actions (SPEC §3.5): the A3, its PDCA experiments, its stage history, WIP limits.

An action's history has one home: django-simple-history's records of ``Action`` (who saved what,
when). Every stage change goes through ``services.action_move`` and is such a record; so is the
creation. ``StageChange`` is a read-only view of those records, one row per change of stage
(the creation as a move from nowhere into Plan): flow metrics and the stage history are read
from it, and the admin shows the stage read-only.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models import Dimension, Round
from improvements import flow
from teams.models import Membership, Team


class Stage(models.TextChoices):
    PLAN = flow.PLAN, _("Plan")
    DO = flow.DO, _("Do")
    CHECK = flow.CHECK, _("Check")
    ACT = flow.ACT, _("Act")
    DONE = flow.DONE, _("Done")
    DROPPED = flow.DROPPED, _("Dropped")


# Columns that hold a WIP limit; Done and Dropped only collect finished cards.
LIMITED_STAGES: tuple[str, ...] = flow.OPEN
# A team that has set nothing works with these limits (None: no limit).
DEFAULT_WIP_LIMITS: dict[str, int | None] = {flow.PLAN: None, flow.DO: 3, flow.CHECK: None, flow.ACT: None}
MAX_WIP_LIMIT = 99


class ActionQuerySet(models.QuerySet["Action"]):
    def visible_to(self, user) -> ActionQuerySet:
        """Actions of the teams whose pages the user may open (member, lead, group lead, staff)."""
        return self.filter(team__in=Team.objects.visible_to(user))

    def for_team(self, team: Team) -> ActionQuerySet:
        """One team's actions with what a card shows, in board order (oldest card first)."""
        return (
            self.filter(team=team)
            .select_related("owner", "dimension", "source_round")
            .order_by("stage_changed_at", "pk")
        )

    def open(self) -> ActionQuerySet:
        """Actions still being worked on: Plan, Do, Check or Act."""
        return self.filter(stage__in=flow.OPEN)

    def overdue(self, today=None) -> ActionQuerySet:
        """Open actions whose due date has passed."""
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)

    def mine(self, user, today=None) -> ActionQuerySet:
        """The user's open actions in teams they can see: overdue first, then by due date, undated last."""
        today = today or timezone.localdate()
        return (
            self.visible_to(user)
            .open()
            .filter(owner=user, team__active=True)
            .select_related("team", "dimension")
            .annotate(
                late=Case(When(due_date__lt=today, then=Value(0)), default=Value(1)),
                undated=Case(When(due_date__isnull=True, then=Value(1)), default=Value(0)),
            )
            .order_by("late", "undated", "due_date", "pk")
        )

    def flows(self) -> list[flow.ActionFlow]:
        """These actions with their stage histories, as flow metrics take them (two queries)."""
        actions = list(self)
        moves: dict[int, list[flow.Move]] = {}
        # The ids themselves, not a subquery: PostgreSQL then reads only these actions' records
        # through the view's window (it cannot push a join into it, and would read them all).
        for action_id, to_stage, at in (
            StageChange.objects.filter(action_id__in=[action.pk for action in actions])
            .order_by("at", "pk")
            .values_list("action_id", "to_stage", "at")
        ):
            moves.setdefault(action_id, []).append(flow.Move(at=at, to_stage=to_stage))
        return [
            flow.ActionFlow(
                id=action.pk, stage=action.stage, due=action.due_date, moves=tuple(moves.get(action.pk, ()))
            )
            for action in actions
        ]


class Action(models.Model):
    """An improvement action written as an A3 and run as PDCA experiments."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="actions", verbose_name=_("team"))
    title = models.CharField(_("title"), max_length=200)
    dimension = models.ForeignKey(
        Dimension,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("dimension"),
        help_text=_("The survey dimension this action wants to improve."),
    )
    source_round = models.ForeignKey(
        Round,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("source round"),
        help_text=_("The round whose results led to this action."),
    )
    # The A3: one sheet from the problem to the countermeasure.
    current_condition = models.TextField(
        _("current condition"), blank=True, help_text=_("What happens today, with facts and numbers.")
    )
    target_condition = models.TextField(
        _("target condition"), blank=True, help_text=_("Where we want to be, and how we will know.")
    )
    root_cause = models.TextField(
        _("root cause (five whys)"),
        blank=True,
        help_text=_("Ask “why?” until you reach a cause you can act on."),
    )
    countermeasure = models.TextField(
        _("countermeasure"), blank=True, help_text=_("What we change to remove the root cause.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
        verbose_name=_("owner"),
        help_text=_("A member of the team who keeps the action moving."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.PLAN)
    stage_changed_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    outcome = models.TextField(_("outcome, what we learned"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["team__name", "stage_changed_at", "pk"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=flow.STAGES), name="action_stage_known"),
        ]
        indexes = [
            models.Index(fields=["team", "stage"], name="action_team_stage"),
            models.Index(fields=["owner", "stage"], name="action_owner_stage"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.stage in flow.OPEN

    @property
    def is_overdue(self) -> bool:
        return flow.is_overdue(self.stage, self.due_date, timezone.localdate())

    @property
    def next_stage(self) -> str:
        """The stage the board offers first when moving this card."""
        return flow.NEXT_STAGE[self.stage]

    @property
    def days_in_stage(self) -> int:
        return max(0, (timezone.now() - self.stage_changed_at).days)

    def clean(self) -> None:
        if (
            self.owner_id
            and self.team_id
            and not Membership.objects.filter(team_id=self.team_id, user_id=self.owner_id).exists()
        ):
            raise ValidationError({"owner": _("The owner must be a member of the team.")})


class Experiment(models.Model):
    """One PDCA cycle of an action, as in the Toyota Kata "PDCA cycles record"."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="experiments", verbose_name=_("action")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    step = models.TextField(
        _("step"), help_text=_("The next step we take: one change, small enough to learn from.")
    )
    expected = models.TextField(_("what we expect"))
    happened = models.TextField(_("what happened"), blank=True)
    learned = models.TextField(_("what we learned"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["action", "date", "pk"]
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")

    def __str__(self) -> str:
        return self.step[:60]


class StageChange(models.Model):
    """An action moving from one stage to another; an empty ``from_stage`` is its creation.

    A database view over the action's history records (migration 0003), not a table: nothing
    writes here; saving the action with another stage is the change.
    """

    action = models.ForeignKey(
        Action,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="stage_changes",
        verbose_name=_("action"),
    )
    from_stage = models.CharField(_("from"), max_length=10, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=10, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        managed = False
        db_table = "improvements_stagechange"
        ordering = ["action", "at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.action_id}: {self.from_stage or '∅'} → {self.to_stage}"


class WipLimitQuerySet(models.QuerySet["WipLimit"]):
    def for_team(self, team: Team) -> dict[str, int | None]:
        """The team's limit per limited stage: its own setting, else the default (None: no limit)."""
        limits: dict[str, int | None] = dict(DEFAULT_WIP_LIMITS)
        limits.update(self.filter(team=team).values_list("stage", "limit"))
        return limits


class WipLimit(models.Model):
    """How many actions a team allows in one stage at once. No row: the default; empty: no limit."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="wip_limits", verbose_name=_("team")
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=[(s.value, s.label) for s in Stage if s.value in LIMITED_STAGES]
    )
    limit = models.PositiveSmallIntegerField(
        _("WIP limit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WIP_LIMIT)],
        help_text=_("Leave empty for no limit."),
    )

    objects = WipLimitQuerySet.as_manager()

    class Meta:
        ordering = ["team__name", "stage"]
        verbose_name = _("WIP limit")
        verbose_name_plural = _("WIP limits")
        constraints = [
            models.UniqueConstraint(fields=["team", "stage"], name="wiplimit_unique_team_stage"),
            models.CheckConstraint(
                condition=Q(limit__isnull=True) | Q(limit__gte=1), name="wiplimit_at_least_one"
            ),
            models.CheckConstraint(condition=Q(stage__in=LIMITED_STAGES), name="wiplimit_stage_limited"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.get_stage_display()}: {self.limit or '∞'}"


def stage_labels() -> Mapping[str, str]:
    """Each stage's translated label, for pages and charts."""
    return {stage.value: str(stage.label) for stage in Stage}


MAX_FOCUS = 2


class TeamReview(models.Model):
    """The team's review meeting of one closed round: its focus, its notes and decisions.

    The focus vote is kept as counts per dimension key, as the meeting counts hands: never who
    voted for what. Actions the meeting starts are ordinary actions of the board, linked to the
    round (``source_round``).
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("team"))
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("round")
    )
    votes = models.JSONField(_("focus votes per dimension"), default=dict, blank=True)
    focus = models.JSONField(_("focus dimensions"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=10000)
    decisions = models.TextField(_("decisions"), blank=True, max_length=10000)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("team review")
        verbose_name_plural = _("team reviews")
        constraints = [models.UniqueConstraint(fields=["team", "round"], name="teamreview_unique_team_round")]

    def __str__(self) -> str:
        return f"{self.team} · {self.round}"
