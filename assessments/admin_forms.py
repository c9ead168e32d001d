"""Admin widgets for a maturity model's answer scale and level bands: one labelled input per part
instead of raw JSON."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from assessments.models import Dimension, MaturityModel, Question

MAX_POINTS = 11  # MaturityModel.scale_points allows 3..11
LEVELS = 5


class LabelledParts(forms.MultiWidget):
    """Several inputs, each with its own visible label (the admin's MultiWidget has none)."""

    def __init__(self, parts: list[tuple[str, forms.Widget]], decompress) -> None:
        self.labels = [label for label, _widget in parts]
        self._decompress = decompress
        super().__init__([widget for _label, widget in parts])

    def decompress(self, value):
        return self._decompress(value)

    def get_context(self, name, value, attrs):
        # A model value is a list too (of labels, of bands): always bring it to one value per part.
        return super().get_context(name, self.decompress(value), attrs)

    def render(self, name, value, attrs=None, renderer=None):
        # Each part through its own widget's template; the labels around them here, so no template
        # outside Django's own form templates is needed.
        context = self.get_context(name, value, attrs)
        rows = [
            format_html(
                '<div class="labelled-part"><label for="{}">{}</label> {}</div>',
                part["attrs"]["id"],
                label,
                widget.render(part["name"], part["value"], part["attrs"], renderer),
            )
            for label, part, widget in zip(
                self.labels, context["widget"]["subwidgets"], self.widgets, strict=True
            )
        ]
        return format_html('<div class="labelled-parts">{}</div>', mark_safe("".join(rows)))  # noqa: S308


def _scale_decompress(value) -> list:
    labels = list(value or []) if isinstance(value, list) else []
    return (labels + [""] * MAX_POINTS)[:MAX_POINTS]


class ScaleLabelsField(forms.MultiValueField):
    """The labels of the scale points, lowest first; empty inputs at the end are left out."""

    def __init__(self, **kwargs) -> None:
        fields = [forms.CharField(required=False, max_length=80) for _point in range(MAX_POINTS)]
        widget = LabelledParts(
            [
                (_("Point %(n)s") % {"n": n}, forms.TextInput(attrs={"size": 30}))
                for n in range(1, MAX_POINTS + 1)
            ],
            _scale_decompress,
        )
        for option in ("encoder", "decoder"):  # passed by a JSONField's formfield()
            kwargs.pop(option, None)
        super().__init__(fields, widget=widget, require_all_fields=False, required=True, **kwargs)

    def compress(self, data_list) -> list[str]:
        labels = [str(label).strip() for label in (data_list or [])]
        while labels and not labels[-1]:
            labels.pop()
        if "" in labels:
            raise forms.ValidationError(_("Fill the points in order, without a gap."))
        return labels


def _levels_decompress(value) -> list:
    if isinstance(value, list) and len(value) == 2 * LEVELS and not any(isinstance(v, dict) for v in value):
        return value  # already one value per input (a form sent back with errors)
    bands = value if isinstance(value, list) else []
    parts = []
    for i in range(LEVELS):
        band = bands[i] if i < len(bands) and isinstance(bands[i], dict) else {}
        parts += [band.get("name", ""), band.get("min_index", "")]
    return parts


class LevelBandsField(forms.MultiValueField):
    """Five levels, each a name and the lowest index (0–100) that reaches it."""

    def __init__(self, **kwargs) -> None:
        fields, parts = [], []
        for n in range(1, LEVELS + 1):
            fields += [
                forms.CharField(max_length=60, required=False),
                forms.IntegerField(min_value=0, max_value=100, required=False),
            ]
            parts += [
                (_("Level %(n)s: name") % {"n": n}, forms.TextInput(attrs={"size": 24})),
                (
                    _("Level %(n)s: from index") % {"n": n},
                    forms.NumberInput(attrs={"min": 0, "max": 100}),
                ),
            ]
        for option in ("encoder", "decoder"):  # passed by a JSONField's formfield()
            kwargs.pop(option, None)
        widget = LabelledParts(parts, _levels_decompress)
        super().__init__(fields, widget=widget, require_all_fields=False, required=True, **kwargs)

    def compress(self, data_list) -> list[dict]:
        data = list(data_list or [None] * (2 * LEVELS))
        bands = []
        for i in range(LEVELS):
            name, bound = (data[2 * i] or "").strip(), data[2 * i + 1]
            if not name or bound is None:
                raise forms.ValidationError(_("Give each of the five levels a name and its lowest index."))
            bands.append({"level": i + 1, "name": name, "min_index": bound})
        return bands


class MaturityModelAdminForm(forms.ModelForm):
    scale_labels = ScaleLabelsField(
        label=_("labels of the scale points"),
        help_text=_("One label per point, from the lowest; as many as the scale has points."),
    )
    levels = LevelBandsField(
        label=_("level bands"),
        help_text=_("Level 1 starts at index 0; each next level starts at a higher index."),
    )

    class Meta:
        model = MaturityModel
        fields = ["name", "version", "description", "published", "scale_points", "scale_labels", "levels"]


class ModelTranslationForm(forms.Form):
    """Every text of a maturity model beside a field for its translation into one language.

    Field names say where a text goes: ``model-name``, ``model-scale-3``, ``model-level-2``,
    ``dimension-<pk>-prompt``, ``question-<pk>-help_text``. An empty field removes a translation.
    """

    LONG = {"description", "help_text", "scoring_note"}

    def __init__(self, *args, model, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.model, self.language = model, language
        self.rows: list[tuple[str, str, str]] = []  # (heading, source text, field name)
        given = (model.translations or {}).get(language, {})
        self._text("model-name", model.name, given.get("name"), _("Name"), 120)
        self._text("model-description", model.description, given.get("description"), _("Description"), 4000)
        labels = given.get("scale_labels") or []
        for i, label in enumerate(model.scale_labels):
            self._text(f"model-scale-{i}", label, _at(labels, i), _("Scale point %(n)s") % {"n": i + 1}, 60)
        levels = given.get("levels") or []
        for i, band in enumerate(model.levels):
            self._text(
                f"model-level-{i}", str(band["name"]), _at(levels, i), _("Level %(n)s") % {"n": i + 1}, 60
            )
        self.dimensions = list(model.dimensions.prefetch_related("questions").order_by("order", "key"))
        for dimension in self.dimensions:
            mine = (dimension.translations or {}).get(language, {})
            for name in ("name", "description", "prompt"):
                heading = f"{dimension.key} · {Dimension._meta.get_field(name).verbose_name}"
                self._text(
                    f"dimension-{dimension.pk}-{name}", getattr(dimension, name), mine.get(name), heading
                )
            for question in dimension.questions.all():
                mine = (question.translations or {}).get(language, {})
                for name in ("text", "help_text", "result_label", "scoring_note"):
                    heading = (
                        f"{dimension.key}/{question.key} · {Question._meta.get_field(name).verbose_name}"
                    )
                    self._text(
                        f"question-{question.pk}-{name}", getattr(question, name), mine.get(name), heading
                    )

    def _text(self, name: str, source: str, given, heading, limit: int = 4000) -> None:
        if not source:
            return  # nothing to translate
        key = name.rsplit("-", 1)[-1]
        widget = (
            forms.Textarea(attrs={"rows": 3}) if key in self.LONG else forms.TextInput(attrs={"size": 80})
        )
        self.fields[name] = forms.CharField(
            label=heading, required=False, max_length=limit, initial=given or "", widget=widget
        )
        self.rows.append((str(heading), source, name))

    @property
    def table(self) -> list[tuple[str, str, forms.BoundField]]:
        """(where, source text, field) for the page, in the model's order."""
        return [(heading, source, self[name]) for heading, source, name in self.rows]

    @property
    def missing(self) -> int:
        return sum(1 for _heading, _source, name in self.rows if not self[name].value())

    def save(self) -> list:
        """Write the translations; the objects changed."""
        data, language, changed = self.cleaned_data, self.language, []

        def put(obj, entry: dict) -> None:
            entry = {key: value for key, value in entry.items() if value}
            translations = dict(obj.translations or {})
            if entry:
                translations[language] = entry
            else:
                translations.pop(language, None)
            if translations != (obj.translations or {}):
                obj.translations = translations
                obj.save(update_fields=["translations"])
                changed.append(obj)

        model = self.model
        scale = [data.get(f"model-scale-{i}", "") for i in range(len(model.scale_labels))]
        levels = [data.get(f"model-level-{i}", "") for i in range(len(model.levels))]
        put(
            model,
            {
                "name": data.get("model-name", ""),
                "description": data.get("model-description", ""),
                # A list counts only when whole: a partly translated scale would mix languages.
                "scale_labels": scale if all(scale) else None,
                "levels": levels if all(levels) else None,
            },
        )
        for dimension in self.dimensions:
            put(
                dimension,
                {n: data.get(f"dimension-{dimension.pk}-{n}", "") for n in ("name", "description", "prompt")},
            )
            for question in dimension.questions.all():
                fields = ("text", "help_text", "result_label", "scoring_note")
                put(question, {n: data.get(f"question-{question.pk}-{n}", "") for n in fields})
        return changed


def _at(values: list, i: int) -> str:
    return values[i] if i < len(values) else ""
