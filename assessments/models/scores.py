"""Aggregates stored when a round closes. Dashboards read only these, never raw answers.

Anonymity by construction, and one gate on the way out. A team–round below its gate gets a
TeamScore with its response count and nothing else, so no mean exists to leak: a dimension score
needs k people who answered that dimension on the scale, a per-question distribution or mean
k_detail people who answered that question on the scale, comments k_detail responses. Readers go
through the ``published()`` QuerySet methods, which apply the same rules again, so a row written
by any other path (an old version, a hand-made fixture, an admin) still cannot be shown.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models.maturity import Dimension, Question
from assessments.models.rounds import Round
from teams.models import Team


class TeamScoreQuerySet(models.QuerySet["TeamScore"]):
    def published(self) -> TeamScoreQuerySet:
        """Team–rounds whose results may be shown: at least one dimension passed its gate."""
        return self.filter(hidden=False, index__isnull=False, responses__gte=models.F("round__k"))

    def visible(self) -> TeamScoreQuerySet:
        """Team–rounds that passed the gate (the name the dashboards use)."""
        return self.published()

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
            .values("round_id", "round__name", "round__closes_at", "round__k")
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

    class HiddenReason(models.TextChoices):
        FEW_RESPONSES = "few-responses", _("fewer responses than the anonymity threshold")
        FEW_ON_SCALE = (
            "few-on-scale",
            _("too few people answered on the scale (the others: don't know or N/A)"),
        )

    class Meta:
        verbose_name = _("team score")
        verbose_name_plural = _("team scores")
        constraints = [models.UniqueConstraint(fields=["round", "team"], name="teamscore_unique")]

    def __str__(self) -> str:
        return f"{self.team} · {self.round}"

    @property
    def is_published(self) -> bool:
        """Python twin of ``published()``, for a row already in hand (its round loaded)."""
        return not self.hidden and self.index is not None and self.responses >= self.round.k

    @property
    def hidden_reason(self) -> TeamScore.HiddenReason | None:
        """Why a team–round shows no score: too few responses, or too few of them on the scale."""
        if self.is_published:
            return None
        if self.responses < self.round.k:
            return self.HiddenReason.FEW_RESPONSES
        return self.HiddenReason.FEW_ON_SCALE


class DimensionScoreQuerySet(models.QuerySet["DimensionScore"]):
    def published(self) -> DimensionScoreQuerySet:
        """Dimension scores of k or more people who answered that dimension on the scale."""
        return self.filter(responses__gte=models.F("round__k"))

    def for_team_round(self, team: Team, round: Round) -> DimensionScoreQuerySet:
        return self.filter(team=team, round=round).select_related("dimension").order_by("dimension__order")

    def trend(self, team: Team) -> DimensionScoreQuerySet:
        """All published dimension scores of a team across rounds, oldest round first."""
        return (
            self.published()
            .filter(team=team)
            .select_related("dimension")
            .order_by("round__closes_at", "round_id", "dimension__order")
        )

    def org_trend(self) -> list[dict]:
        """Per round and dimension key: mean index over the teams that reached k, and how many."""
        return list(
            self.published()
            .values("round_id", "round__k", "dimension_key")
            .annotate(mean_index=models.Avg("index"), teams=models.Count("id"))
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
    agreement = models.FloatField(
        _("agreement rwg(j)"),
        null=True,
        help_text=_(
            "Within-team agreement against the scale's uniform null, 0–1; empty when not computable."
        ),
    )
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


class QuestionDistributionQuerySet(models.QuerySet["QuestionDistribution"]):
    def published(self) -> QuestionDistributionQuerySet:
        """Distributions (and means) of k_detail or more people who answered the question on the scale."""
        return self.filter(answered__gte=models.F("round__k_detail"))


class QuestionDistribution(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="question_distributions")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="question_distributions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="distributions")
    question_key = models.SlugField(max_length=80)
    # counts[i] = how many answered point i + 1, as given (before reverse scoring).
    counts = models.JSONField()
    dont_know = models.PositiveIntegerField()
    not_applicable = models.PositiveIntegerField()
    # People who answered this question on the scale (sum of counts): its gate is k_detail.
    answered = models.PositiveIntegerField(_("answered on the scale"), default=0)
    mean = models.FloatField(null=True, help_text=_("Mean of the values used (reverse-scored where needed)."))

    objects = QuestionDistributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question distribution")
        verbose_name_plural = _("question distributions")
        constraints = [
            models.UniqueConstraint(fields=["round", "team", "question"], name="questiondistribution_unique")
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.round} · {self.question_key}"


class DimensionCommentQuerySet(models.QuerySet["DimensionComment"]):
    def published(self) -> DimensionCommentQuerySet:
        """Comments of published team–rounds with k_detail or more responses."""
        scores = TeamScore.objects.published().filter(
            round=models.OuterRef("round"),
            team=models.OuterRef("team"),
            responses__gte=models.F("round__k_detail"),
        )
        return self.filter(models.Exists(scores))


class DimensionComment(models.Model):
    """A comment copied out of its response at close: unattributed, in a shuffled order."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="dimension_comments")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="dimension_comments")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    text = models.TextField()

    objects = DimensionCommentQuerySet.as_manager()

    class Meta:
        ordering = ["dimension__order", "position"]
        verbose_name = _("comment in the results")
        verbose_name_plural = _("comments in the results")

    def __str__(self) -> str:
        return self.text[:60]


class DimensionReliabilityQuerySet(models.QuerySet["DimensionReliability"]):
    def published(self) -> DimensionReliabilityQuerySet:
        """Round-wide figures of k or more complete responses (never fewer: they would be a few people's)."""
        return self.filter(responses__gte=models.F("round__k"))

    def for_model(self, model) -> DimensionReliabilityQuerySet:
        """The model's closed rounds, newest first, with their questions' figures."""
        return (
            self.published()
            .filter(round__model=model)
            .select_related("round", "dimension")
            .prefetch_related(
                models.Prefetch(
                    "questions",
                    queryset=QuestionReliability.objects.select_related("question").order_by(
                        "question__order"
                    ),
                )
            )
            .order_by("-round__closes_at", "-round_id", "dimension__order")
        )


class DimensionReliability(models.Model):
    """How consistently a dimension's questions measure one thing, across every scored team of a round.

    Aggregates of the complete responses (every question of the dimension answered on the scale) of
    the teams that passed k: a correlation over many people, no row per person.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="dimension_reliabilities")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="reliabilities")
    dimension_key = models.SlugField(max_length=60)
    responses = models.PositiveIntegerField(_("complete responses"))
    alpha = models.FloatField(_("Cronbach's alpha"), null=True)

    objects = DimensionReliabilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("dimension reliability")
        verbose_name_plural = _("dimension reliabilities")
        constraints = [
            models.UniqueConstraint(fields=["round", "dimension"], name="dimensionreliability_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.dimension_key}"


class QuestionReliability(models.Model):
    dimension_reliability = models.ForeignKey(
        DimensionReliability, on_delete=models.CASCADE, related_name="questions"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    question_key = models.SlugField(max_length=80)
    item_rest = models.FloatField(_("item-rest correlation"), null=True)
    alpha_if_deleted = models.FloatField(_("alpha if deleted"), null=True)
    pulls_down = models.BooleanField(_("pulls the dimension down"), default=False)

    class Meta:
        verbose_name = _("question reliability")
        verbose_name_plural = _("question reliabilities")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension_reliability", "question"], name="questionreliability_unique"
            )
        ]

    def __str__(self) -> str:
        return self.question_key


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
