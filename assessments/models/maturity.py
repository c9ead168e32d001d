"""Maturity models: versioned questionnaires with their answer scale and level bands."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_LEVELS = [
    {"level": 1, "name": "Initial", "min_index": 0},
    {"level": 2, "name": "Managed", "min_index": 20},
    {"level": 3, "name": "Defined", "min_index": 40},
    {"level": 4, "name": "Measured", "min_index": 60},
    {"level": 5, "name": "Optimising", "min_index": 80},
]


def default_levels() -> list[dict]:
    return [dict(level) for level in DEFAULT_LEVELS]


class MaturityModelQuerySet(models.QuerySet["MaturityModel"]):
    def published(self) -> MaturityModelQuerySet:
        return self.filter(published=True)


class MaturityModel(models.Model):
    """One version of a questionnaire. Frozen once a round uses it: copy it as a new version instead."""

    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveIntegerField(_("version"), default=1)
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Leads can start rounds with it.")
    )
    scale_points = models.PositiveSmallIntegerField(
        _("points on the answer scale"), default=7, validators=[MinValueValidator(3), MaxValueValidator(11)]
    )
    scale_labels = models.JSONField(_("labels of the scale points"), default=list)
    levels = models.JSONField(_("level bands"), default=default_levels)

    objects = MaturityModelQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("maturity model")
        verbose_name_plural = _("maturity models")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="maturitymodel_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        """A model that a round uses never changes, so old results keep their meaning."""
        return self.pk is not None and self.rounds.exists()

    @property
    def level_thresholds(self) -> list[float]:
        """Lower index bounds of levels 2..5, as scoring.level() takes them."""
        return [float(band["min_index"]) for band in self.levels[1:]]

    @property
    def level_names(self) -> dict[int, str]:
        return {int(band["level"]): str(band["name"]) for band in self.levels}

    def clean(self) -> None:
        if len(self.scale_labels) != self.scale_points:
            raise ValidationError({"scale_labels": _("Give one label for each point of the scale.")})
        bounds = [band.get("min_index") for band in self.levels] if isinstance(self.levels, list) else []
        if (
            len(bounds) != 5
            or bounds[0] != 0
            or any(b is None for b in bounds)
            or bounds != sorted(set(bounds))
        ):
            raise ValidationError(
                {
                    "levels": _(
                        "Give five levels whose lowest index bounds rise from 0, e.g. 0, 20, 40, 60, 80."
                    )
                }
            )


class Dimension(models.Model):
    model = models.ForeignKey(
        MaturityModel, on_delete=models.CASCADE, related_name="dimensions", verbose_name=_("maturity model")
    )
    key = models.SlugField(_("key"), max_length=60, help_text=_("Stable across versions: trends follow it."))
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(
        _("description"), blank=True, help_text=_("For reading results; the survey shows the prompt instead.")
    )
    prompt = models.CharField(
        _("survey prompt"),
        max_length=300,
        blank=True,
        help_text=_("A neutral line under the section on the survey page: never how it is scored."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=2, default=1)

    class Meta:
        ordering = ["model", "order", "key"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="dimension_unique_key"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="dimension_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="questions", verbose_name=_("dimension")
    )
    key = models.SlugField(_("key"), max_length=80, help_text=_("Stable across versions."))
    text = models.CharField(_("text"), max_length=400)
    help_text = models.TextField(
        _("help text"),
        blank=True,
        help_text=_("Shown to respondents: a neutral clarification, never scoring."),
    )
    result_label = models.CharField(
        _("result label"),
        max_length=120,
        blank=True,
        help_text=_("A short neutral name for reading results, worded so that higher is better."),
    )
    scoring_note = models.TextField(
        _("scoring note"),
        blank=True,
        help_text=_(
            "What the question measures and how it is scored: for results and admins, never the survey."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    reverse = models.BooleanField(
        _("reverse-scored"),
        default=False,
        help_text=_("Agreeing is the weaker answer; scored the other way."),
    )

    class Meta:
        ordering = ["dimension__order", "order", "key"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["dimension", "key"], name="question_unique_key")]

    def __str__(self) -> str:
        return self.text

    @property
    def label(self) -> str:
        """How results name the question: its result label, or its text when it has none."""
        return self.result_label or self.text
