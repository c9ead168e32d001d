from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Answer, Dimension, MaturityModel, Question, Round, Schedule
from assessments.models.rounds import MIN_THRESHOLD
from teams.models import Team

COMMENT_MAX_LENGTH = 2000


@dataclass
class SurveySection:
    """One dimension of the survey page: its questions' fields and its comment field."""

    dimension: Dimension
    questions: list[tuple[Question, forms.BoundField]]
    comment: forms.BoundField

    @property
    def answered(self) -> int:
        return sum(1 for _, field in self.questions if field.value() in field.field.valid_values)


class QuestionField(forms.ChoiceField):
    @property
    def valid_values(self) -> set[str]:
        return {str(value) for value, _label in self.choices}


class SurveyForm(forms.Form):
    """Every question of a model as one radio group (scale points, don't know, not applicable).

    Built for a draft (nothing required) or a submit (every question required); a bound form that
    fails keeps every given answer, so the page comes back with the missing ones marked.
    """

    def __init__(
        self, *args, model: MaturityModel, dimensions: list[Dimension], submit: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.model = model
        self.dimensions = dimensions
        labels = model.labels
        choices = [
            (str(point), f"{point} · {labels[point - 1]}") for point in range(1, model.scale_points + 1)
        ]
        choices += [
            (Answer.Special.DONT_KNOW.value, _("Don't know")),
            (Answer.Special.NOT_APPLICABLE.value, _("N/A")),
        ]
        for dimension in dimensions:
            for question in dimension.survey_questions:
                self.fields[f"q{question.pk}"] = QuestionField(
                    label=question.local_text,
                    help_text=question.local_help_text,
                    choices=choices,
                    widget=forms.RadioSelect,
                    required=submit,
                    error_messages={
                        "required": _("Please answer this question (or choose don't know / N/A)."),
                        "invalid_choice": _(
                            "That is not one of the choices: pick a point of the scale, don't know or N/A."
                        ),
                    },
                )
            self.fields[f"c{dimension.pk}"] = forms.CharField(
                label=_("Anything to add about %(dimension)s? (optional, shown unattributed)")
                % {"dimension": dimension.local_name},
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def sections(self) -> list[SurveySection]:
        return [
            SurveySection(
                dimension=dimension,
                questions=[(q, self[f"q{q.pk}"]) for q in dimension.survey_questions],
                comment=self[f"c{dimension.pk}"],
            )
            for dimension in self.dimensions
        ]

    @property
    def question_count(self) -> int:
        return sum(1 for name in self.fields if name.startswith("q"))

    @property
    def answered_count(self) -> int:
        # A value that is none of the choices (q12=99) is no answer: no radio button shows it.
        return sum(
            1
            for name, field in self.fields.items()
            if name.startswith("q") and self[name].value() in field.valid_values
        )

    def question_errors(self, code: str) -> list[str]:
        """Names of the question fields whose error has this code: "required" (unanswered) or
        "invalid_choice" (a value that is none of the choices, e.g. a tampered form)."""
        return [
            name
            for name, errors in self.errors.as_data().items()
            if name.startswith("q") and any(error.code == code for error in errors)
        ]

    def answers(self) -> dict[int, str | None]:
        return {
            int(name[1:]): (value or None)
            for name, value in self.cleaned_data.items()
            if name.startswith("q")
        }

    def comments(self) -> dict[int, str]:
        return {
            int(name[1:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("c") and value
        }

    @staticmethod
    def initial_from(response) -> dict[str, str]:
        """Prefill from a saved response: its answers and comments."""
        if response is None:
            return {}
        initial = {
            f"q{answer.question_id}": answer.special or str(answer.value) for answer in response.answers.all()
        }
        initial.update({f"c{comment.dimension_id}": comment.text for comment in response.comments.all()})
        return initial


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TeamsField(forms.ModelMultipleChoiceField):
    """Team ids beyond the database's integer range are invalid choices, not a database error.

    (Django guards a single id, but SQLite refuses an over-long one inside ``IN (…)`` — a 500.)
    """

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number at all: the parent names it an invalid choice
            if not -(2**63) <= number < 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


def _model_with_languages(model: MaturityModel) -> str:
    return f"{model} · {model.language_names()}"


class RoundForm(forms.ModelForm):
    """A lead starts a round for some of the teams they run."""

    class Meta:
        model = Round
        fields = ["name", "model", "teams", "opens_at", "closes_at", "k", "k_detail"]
        field_classes = {"teams": TeamsField}
        widgets = {
            "teams": forms.CheckboxSelectMultiple,
            "opens_at": DateTimeLocalInput(),
            "closes_at": DateTimeLocalInput(),
        }

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].queryset = MaturityModel.objects.published()
        self.fields["model"].empty_label = None
        self.fields["model"].label_from_instance = _model_with_languages
        self.fields["model"].help_text = _(
            "Each model is offered in the languages listed: those it is completely translated into."
        )
        self.fields["teams"].queryset = teams
        self.fields["k"].min_value = MIN_THRESHOLD
        self.fields["k_detail"].min_value = MIN_THRESHOLD
        # A datetime-local input has no zone: say which one its times are in.
        zone = timezone.get_current_timezone_name()
        for name, label in (("opens_at", _("Opens at")), ("closes_at", _("Closes at"))):
            self.fields[name].label = _("%(label)s (%(zone)s)") % {"label": label, "zone": zone}
            self.fields[name].help_text = _("Date and time in the %(zone)s time zone.") % {"zone": zone}
        if not self.is_bound and not self.initial.get("opens_at"):
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("opens_at", now)
            self.initial.setdefault("closes_at", now + timedelta(days=14))

    def clean_teams(self) -> list[Team]:
        teams = self.cleaned_data["teams"]
        if not teams:
            raise forms.ValidationError(_("Choose at least one team."))
        return teams

    def clean_opens_at(self):
        return _within_years(self.cleaned_data["opens_at"])

    def clean_closes_at(self):
        closes_at = _within_years(self.cleaned_data["closes_at"])
        if closes_at <= timezone.now():
            raise forms.ValidationError(_("A new round must close in the future."))
        return closes_at


ROUND_YEARS = (2000, 2999)


def _within_years(moment):
    # Far from UTC, the first and last days Python knows (year 1, year 9999) have no UTC time:
    # storing them would fail. No survey round runs then anyway.
    if not ROUND_YEARS[0] <= moment.year <= ROUND_YEARS[1]:
        raise forms.ValidationError(
            _("Enter a date between the years %(first)s and %(last)s.")
            % {"first": ROUND_YEARS[0], "last": ROUND_YEARS[1]}
        )
    return moment


class TargetLevelsForm(forms.Form):
    """One optional target level (1–5) per dimension of the team's latest results."""

    def __init__(self, *args, dimensions, level_names: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("no target"))] + [
            (str(lv), f"{lv} · {name}") for lv, name in sorted(level_names.items())
        ]
        for row in dimensions:
            self.fields[f"target-{row.key}"] = forms.TypedChoiceField(
                label=row.name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(row.target) if row.target else "",
            )

    def levels(self) -> dict[str, int | None]:
        return {name.removeprefix("target-"): value for name, value in self.cleaned_data.items()}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ScheduleForm(forms.ModelForm):
    """A lead or group manager sets rounds to open by themselves for teams they run."""

    prefix = "schedule"  # it shares the rounds page with the round form: ids must differ

    class Meta:
        model = Schedule
        fields = [
            "name",
            "model",
            "teams",
            "cadence",
            "every_weeks",
            "starts_on",
            "opens_at_time",
            "open_days",
            "k",
            "k_detail",
            "remind_after_days",
            "remind_before_close_days",
            "max_reminders",
            "reminder_gap_hours",
            "ends_on",
        ]
        field_classes = {"teams": TeamsField}
        widgets = {
            "teams": forms.CheckboxSelectMultiple,
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "opens_at_time": TimeInput(),
        }

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].queryset = MaturityModel.objects.published()
        self.fields["model"].empty_label = None
        self.fields["model"].label_from_instance = _model_with_languages
        self.fields["teams"].queryset = teams
        self.fields["teams"].required = False  # clean_teams says what to do instead
        self.fields["k"].min_value = MIN_THRESHOLD
        self.fields["k_detail"].min_value = MIN_THRESHOLD
        zone = timezone.get_current_timezone_name()
        self.fields["opens_at_time"].label = _("Opening time (%(zone)s)") % {"zone": zone}
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate() + timedelta(days=1))

    def clean_teams(self) -> list[Team]:
        teams = self.cleaned_data["teams"]
        if not teams:
            raise forms.ValidationError(_("Choose at least one team."))
        return teams

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        if starts_on and not timezone.localdate() - timedelta(
            days=366
        ) <= starts_on <= timezone.localdate() + timedelta(days=366 * 2):
            raise forms.ValidationError(
                _("Choose a first opening day within a year back and two years ahead.")
            )
        return starts_on
