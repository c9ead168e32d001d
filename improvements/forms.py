"""Forms of the improvement board: validation and normalisation; services do the writing."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Dimension, MaturityModel, Round
from improvements.models import LIMITED_STAGES, MAX_FOCUS, MAX_WIP_LIMIT, Action, Experiment, Stage
from teams.models import Team

A3_FIELDS = ["current_condition", "target_condition", "root_cause", "countermeasure"]


class DateInput(forms.DateInput):
    input_type = "date"


class DimensionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Dimension) -> str:
        # Two versions of a model may both be offered: tell their dimensions apart.
        if getattr(self, "several_models", False):
            return f"{obj.local_name} · {obj.model}"
        return obj.local_name


def team_model_ids(team: Team) -> list[int]:
    """The maturity models the team's rounds use, or the published ones when it has had none."""
    used = list(MaturityModel.objects.filter(rounds__teams=team).distinct().values_list("pk", flat=True))
    return used or list(MaturityModel.objects.published().values_list("pk", flat=True))


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class ActionForm(forms.ModelForm):
    """Create or edit an action's title, owner, due date, links and A3 for one team."""

    dimension = DimensionChoiceField(
        queryset=Dimension.objects.none(),
        required=False,
        label=_("Dimension"),
        help_text=_("The survey dimension this action wants to improve (optional)."),
    )

    class Meta:
        model = Action
        fields = ["title", "owner", "due_date", "dimension", "source_round", *A3_FIELDS]
        field_classes = {"owner": OwnerChoiceField}
        widgets = {
            "due_date": DateInput(),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in A3_FIELDS},
        }

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        if self.instance.team_id is None:
            self.instance.team = team
        owner = self.fields["owner"]
        owner.queryset = (
            get_user_model()
            .objects.filter(memberships__team=team)
            .distinct()
            .order_by("first_name", "username")
        )
        owner.required = True
        owner.error_messages["invalid_choice"] = _("Choose a member of the team as the owner.")
        source_round = self.fields["source_round"]
        # An action keeps its links even when they fall outside today's choices (set in the admin).
        source_round.queryset = Round.objects.filter(
            Q(pk__in=Round.objects.scored().covering(team)) | Q(pk=self.instance.source_round_id)
        ).order_by("-closes_at", "-pk")
        source_round.label = _("Source round")
        source_round.error_messages["invalid_choice"] = _("Choose a closed round of this team.")
        models = team_model_ids(team)
        dimension = self.fields["dimension"]
        dimension.queryset = (
            Dimension.objects.filter(Q(model_id__in=models) | Q(pk=self.instance.dimension_id))
            .select_related("model")
            .order_by("-model_id", "order")
        )
        dimension.several_models = len(models) > 1
        dimension.error_messages["invalid_choice"] = _("Choose a dimension of your team's survey.")

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        unchanged = self.instance.pk is not None and due == self.instance.due_date
        if due is not None and not unchanged and due < timezone.localdate():
            raise forms.ValidationError(_("A due date cannot lie in the past."))
        return due

    def clean(self) -> dict:
        cleaned = super().clean()
        dimension, round_ = cleaned.get("dimension"), cleaned.get("source_round")
        if dimension is not None and round_ is not None and dimension.model_id != round_.model_id:
            # Keys are stable across model versions: link the same dimension of the round's model.
            same = Dimension.objects.filter(model_id=round_.model_id, key=dimension.key).first()
            if same is None:
                self.add_error(
                    "dimension",
                    _("The survey of %(round)s has no dimension “%(dimension)s”.")
                    % {"round": round_.name, "dimension": dimension.local_name},
                )
            else:
                cleaned["dimension"] = same
        return cleaned

    def prefill(self, *, dimension: str | None, round_id: str | None) -> None:
        """Preselect a dimension (its key or id) and a source round from the dashboard's link.

        Values that do not belong to the team are ignored: a prefill never fails the page.
        """
        round_ = None
        if round_id and round_id.isdigit():
            round_ = self.fields["source_round"].queryset.filter(pk=int(round_id)).first()
            if round_ is not None:
                self.initial["source_round"] = round_.pk
        # PostgreSQL refuses a NUL byte in a query: no key has one, so there is nothing to find.
        if dimension and "\x00" not in dimension:
            choices = self.fields["dimension"].queryset
            if dimension.isdigit():
                found = choices.filter(pk=int(dimension)).first()
                if found is not None and round_ is not None:
                    found = choices.filter(model_id=round_.model_id, key=found.key).first() or found
            else:
                candidates = choices.filter(key=dimension)
                found = (round_ and candidates.filter(model_id=round_.model_id).first()) or candidates.first()
            if found is not None:
                self.initial["dimension"] = found.pk
                if not self.initial.get("title"):
                    self.initial["title"] = _("Improve %(dimension)s") % {"dimension": found.name}


class ActionEditForm(ActionForm):
    class Meta(ActionForm.Meta):
        fields = [*ActionForm.Meta.fields, "outcome"]
        widgets = {**ActionForm.Meta.widgets, "outcome": forms.Textarea(attrs={"rows": 3})}


class MoveForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Move to"),
        choices=Stage.choices,
        error_messages={
            "required": _("Choose the stage to move the action to."),
            "invalid_choice": _("“%(value)s” is not a stage. Choose Plan, Do, Check, Act, Done or Dropped."),
        },
    )


class ExperimentForm(forms.ModelForm):
    class Meta:
        model = Experiment
        fields = ["date", "step", "expected", "happened", "learned"]
        widgets = {
            "date": DateInput(),
            "step": forms.Textarea(attrs={"rows": 2}),
            "expected": forms.Textarea(attrs={"rows": 2}),
            "happened": forms.Textarea(attrs={"rows": 2}),
            "learned": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate


class WipLimitsForm(forms.Form):
    """One optional number per limited stage; empty means no limit."""

    def __init__(self, *args, limits: dict[str, int | None], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for stage in LIMITED_STAGES:
            self.fields[stage] = forms.IntegerField(
                label=Stage(stage).label,
                required=False,
                min_value=1,
                max_value=MAX_WIP_LIMIT,
                initial=limits.get(stage),
                help_text=_("Empty: no limit."),
                error_messages={
                    "min_value": _("A limit is at least 1; leave the field empty for no limit."),
                    "max_value": _("At most %(limit_value)s."),
                    "invalid": _("Enter a whole number, or leave the field empty for no limit."),
                },
            )

    def limits(self) -> dict[str, int | None]:
        return {stage: self.cleaned_data.get(stage) for stage in LIMITED_STAGES}


class ReviewForm(forms.Form):
    """The review meeting's record: hands counted per dimension, one or two focus dimensions, notes.

    ``dimensions`` are (key, name) pairs of the round's model; ``people`` caps a dimension's
    count at the team's size (a count of hands, never names).
    """

    focus = forms.MultipleChoiceField(
        label=_("Focus dimensions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The one or two dimensions the team works on until the next round."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    decisions = forms.CharField(
        label=_("Decisions"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, dimensions: list[tuple[str, str]], people: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions = dimensions
        self.fields["focus"].choices = dimensions
        for key, name in dimensions:
            self.fields[f"votes-{key}"] = forms.IntegerField(
                label=_("Hands for %(dimension)s") % {"dimension": name},
                required=False,
                min_value=0,
                max_value=max(people, 1),
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm votes"}),
            )

    def clean_focus(self) -> list[str]:
        focus = self.cleaned_data["focus"]
        if len(focus) > MAX_FOCUS:
            raise forms.ValidationError(_("Pick at most %(n)d focus dimensions.") % {"n": MAX_FOCUS})
        return focus

    def votes(self) -> dict[str, int]:
        return {key: self.cleaned_data.get(f"votes-{key}") or 0 for key, _name in self.dimensions}

    def vote_fields(self) -> list[tuple[str, str, forms.BoundField]]:
        return [(key, name, self[f"votes-{key}"]) for key, name in self.dimensions]
