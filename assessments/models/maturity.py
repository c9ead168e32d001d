"""Maturity models: versioned questionnaires with their answer scale and level bands."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from assessments import content

DEFAULT_LEVELS = [
    {"level": 1, "name": gettext_noop("Initial"), "min_index": 0},
    {"level": 2, "name": gettext_noop("Managed"), "min_index": 20},
    {"level": 3, "name": gettext_noop("Defined"), "min_index": 40},
    {"level": 4, "name": gettext_noop("Measured"), "min_index": 60},
    {"level": 5, "name": gettext_noop("Optimising"), "min_index": 80},
]
# Scale labels in the interface's catalogs: a model that uses them needs no translation of them.
STANDARD_SCALE_LABELS = (
    gettext_noop("Strongly disagree"),
    gettext_noop("Disagree"),
    gettext_noop("Somewhat disagree"),
    gettext_noop("Neither agree nor disagree"),
    gettext_noop("Somewhat agree"),
    gettext_noop("Agree"),
    gettext_noop("Strongly agree"),
)


class Translated(models.Model):
    """Texts of a model shown in the content language (assessments.content), with the source as
    the fallback: ``translations`` holds ``{"es": {"name": "…"}, "ca": {…}}``."""

    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def localised(self, field: str, language: str | None = None) -> str:
        return content.localised(getattr(self, field), self.translations, field, language)

    def missing_in(self, language: str) -> list[str]:
        return content.missing({f: getattr(self, f) for f in self.TRANSLATED}, self.translations, language)


def default_levels() -> list[dict]:
    return [dict(level) for level in DEFAULT_LEVELS]


class MaturityModelQuerySet(models.QuerySet["MaturityModel"]):
    def published(self) -> MaturityModelQuerySet:
        return self.filter(published=True)


class MaturityModel(Translated):
    """One version of a questionnaire. Frozen once a round uses it: copy it as a new version instead.

    Its translations (and those of its dimensions and questions) may still be added: they change
    no key, scale or score, and each change is audited.
    """

    TRANSLATED = content.MODEL_FIELDS

    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(
        _("language"),
        max_length=10,
        default="en",
        help_text=_("The language its texts are written in; translations add the others."),
    )
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
        return gettext("%(name)s v%(version)s") % {"name": self.local_name, "version": self.version}

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
        """Level names in the content language: the model's translation, else the interface's
        catalog (which knows the default names), else as written."""
        given = self._translated_list("levels", len(self.levels))
        if given:
            return {int(band["level"]): given[i] for i, band in enumerate(self.levels)}
        return {int(band["level"]): gettext(str(band["name"])) for band in self.levels}

    @property
    def labels(self) -> list[str]:
        """The scale's labels in the content language (as level_names), one per point."""
        given = self._translated_list("scale_labels", self.scale_points)
        if given:
            return given
        labels = list(self.scale_labels) or [str(p) for p in range(1, self.scale_points + 1)]
        return [gettext(label) for label in labels]

    @property
    def local_name(self) -> str:
        return self.localised("name")

    @property
    def local_description(self) -> str:
        return self.localised("description")

    def _translated_list(self, key: str, length: int, language: str | None = None) -> list[str] | None:
        entry = (self.translations or {}).get(language or content.content_language()) or {}
        values = entry.get(key)
        if isinstance(values, list) and len(values) == length and all(values):
            return [str(v) for v in values]
        return None

    def missing_translations(self, language: str, dimensions=None) -> list[str]:
        """What a round would show untranslated in ``language``: [] when complete. Each item
        names its place: "name", "scale labels", "dimension culture: prompt",
        "question culture/bridging: help_text". ``dimensions`` already loaded (each with its
        ``survey_questions``) save the queries."""
        if language == self.language:
            return []
        out = self.missing_in(language)
        with translation.override(language):
            if self._translated_list("scale_labels", self.scale_points, language) is None and any(
                gettext(label) == label for label in self.scale_labels
            ):
                out.append("scale labels")
            if self._translated_list("levels", len(self.levels), language) is None and any(
                gettext(str(band["name"])) == str(band["name"]) for band in self.levels
            ):
                out.append("level names")
        if dimensions is None:
            dimensions = list(self.dimensions.prefetch_related("questions"))
            for dimension in dimensions:
                dimension.survey_questions = list(dimension.questions.all())
        for dimension in dimensions:
            out += [f"dimension {dimension.key}: {f}" for f in dimension.missing_in(language)]
            for question in dimension.survey_questions:
                out += [
                    f"question {dimension.key}/{question.key}: {f}" for f in question.missing_in(language)
                ]
        return out

    def complete_languages(self) -> list[str]:
        """The languages (of settings.LANGUAGES) a round of this model is offered in: those it
        is written or completely translated in."""
        dimensions = list(self.dimensions.prefetch_related("questions"))
        for dimension in dimensions:
            dimension.survey_questions = list(dimension.questions.all())
        return [code for code, _name in settings.LANGUAGES if not self.missing_translations(code, dimensions)]

    def language_names(self) -> str:
        """ "English, Español, Català": the languages a round of it is offered in, by their names."""
        names = dict(settings.LANGUAGES)
        return ", ".join(names[code] for code in self.complete_languages())

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


class Dimension(Translated):
    TRANSLATED = content.DIMENSION_FIELDS

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

    @property
    def local_name(self) -> str:
        return self.localised("name")

    @property
    def local_description(self) -> str:
        return self.localised("description")

    @property
    def local_prompt(self) -> str:
        return self.localised("prompt")


class Question(Translated):
    TRANSLATED = content.QUESTION_FIELDS

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
        """How results name the question: its result label, or its text when it has none (in
        the content language)."""
        return self.localised("result_label") or self.localised("text")

    @property
    def local_text(self) -> str:
        return self.localised("text")

    @property
    def local_help_text(self) -> str:
        return self.localised("help_text")

    @property
    def local_scoring_note(self) -> str:
        return self.localised("scoring_note")
