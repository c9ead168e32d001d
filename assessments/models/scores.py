"""Aggregates stored when a round closes. Dashboards read only these, never raw answers.

Anonymity by construction: a team–round below the round's k gets a TeamScore with its response
count and nothing else — no mean exists to leak. Distributions and comments are stored only at
k_detail or more.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models.maturity import Dimension, Question
from assessments.models.rounds import Round
from teams.models import Team


class TeamScoreQuerySet(models.QuerySet["TeamScore"]):
    def visible(self) -> TeamScoreQuerySet:
        """Team–rounds that reached the round's k: the only ones with scores."""
        return self.filter(hidden=False)

    def history(self, team: Team) -> TeamScoreQuerySet:
        """One team's scored rounds, oldest first."""
        return self.filter(team=team).select_related("round").order_by("round__closes_at", "round_id")

    def for_teams(self, team_ids) -> TeamScoreQuerySet:
        """Every stored round of these teams, oldest first (for sparklines and previous rounds)."""
        return self.filter(team_id__in=team_ids).order_by("round__closes_at", "round_id")

    def org_trend(self) -> list[dict]:
        """Per scored round: the mean index of the teams that reached k, and how many they were."""
        return list(
            self.visible()
            .values("round_id", "round__name", "round__closes_at")
            .annotate(mean_index=models.Avg("index"), teams=models.Count("id"))
            .order_by("round__closes_at", "round_id")
        )


class TeamScore(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="team_scores")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="scores")
    responses = models.PositiveIntegerField(_("responses"))
    invited = models.PositiveIntegerField(_("members when the round closed"))
    hidden = models.BooleanField(_("below the anonymity threshold"))
    mean = models.FloatField(_("overall score"), null=True)
    index = models.FloatField(_("overall index"), null=True)
    level = models.PositiveSmallIntegerField(_("level"), null=True)

    objects = TeamScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("team score")
        verbose_name_plural = _("team scores")
        constraints = [models.UniqueConstraint(fields=["round", "team"], name="teamscore_unique")]

    def __str__(self) -> str:
        return f"{self.team} · {self.round}"


class DimensionScoreQuerySet(models.QuerySet["DimensionScore"]):
    def for_team_round(self, team: Team, round: Round) -> DimensionScoreQuerySet:
        return self.filter(team=team, round=round).select_related("dimension").order_by("dimension__order")

    def trend(self, team: Team) -> DimensionScoreQuerySet:
        """All dimension scores of a team across rounds, oldest round first."""
        return (
            self.filter(team=team)
            .select_related("dimension")
            .order_by("round__closes_at", "round_id", "dimension__order")
        )

    def org_trend(self) -> list[dict]:
        """Per round and dimension key: mean index over the teams that reached k (only they have rows)."""
        return list(
            self.values("round_id", "dimension_key")
            .annotate(mean_index=models.Avg("index"))
            .order_by("round_id", "dimension_key")
        )


class DimensionScore(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="dimension_scores")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="dimension_scores")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="scores")
    dimension_key = models.SlugField(max_length=60)
    mean = models.FloatField(_("score"))
    index = models.FloatField(_("index"))
    stdev = models.FloatField(_("standard deviation"))
    level = models.PositiveSmallIntegerField(_("level"))
    responses = models.PositiveIntegerField(_("responses"))
    answers = models.PositiveIntegerField(_("answers on the scale"))
    dont_know = models.PositiveIntegerField(_("don't know"))
    not_applicable = models.PositiveIntegerField(_("not applicable"))

    objects = DimensionScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("dimension score")
        verbose_name_plural = _("dimension scores")
        constraints = [
            models.UniqueConstraint(fields=["round", "team", "dimension"], name="dimensionscore_unique")
        ]
        indexes = [models.Index(fields=["team", "dimension_key"], name="dimensionscore_team_key")]

    def __str__(self) -> str:
        return f"{self.team} · {self.round} · {self.dimension_key}"


class QuestionDistribution(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="question_distributions")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="question_distributions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="distributions")
    question_key = models.SlugField(max_length=80)
    # counts[i] = how many answered point i + 1, as given (before reverse scoring).
    counts = models.JSONField()
    dont_know = models.PositiveIntegerField()
    not_applicable = models.PositiveIntegerField()
    mean = models.FloatField(null=True, help_text=_("Mean of the values used (reverse-scored where needed)."))

    class Meta:
        verbose_name = _("question distribution")
        verbose_name_plural = _("question distributions")
        constraints = [
            models.UniqueConstraint(fields=["round", "team", "question"], name="questiondistribution_unique")
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.round} · {self.question_key}"


class DimensionComment(models.Model):
    """A comment copied out of its response at close: unattributed, in a shuffled order."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="dimension_comments")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="dimension_comments")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["dimension__order", "position"]
        verbose_name = _("comment in the results")
        verbose_name_plural = _("comments in the results")

    def __str__(self) -> str:
        return self.text[:60]


class TargetLevel(models.Model):
    """The level a team aims for in a dimension (by its stable key, so it outlives model versions)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="target_levels")
    dimension_key = models.SlugField(max_length=60)
    level = models.PositiveSmallIntegerField(
        _("target level"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("target level")
        verbose_name_plural = _("target levels")
        constraints = [
            models.UniqueConstraint(fields=["team", "dimension_key"], name="targetlevel_unique"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="targetlevel_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.dimension_key} → {self.level}"
