"""Admin widgets for a maturity model's answer scale and level bands: one labelled input per part
instead of raw JSON."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from assessments.models import MaturityModel

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
