from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from delivery import importing
from delivery.models import ApiToken
from delivery.schemas import DeploymentIn, IncidentIn
from delivery.services import RowError


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]
        labels = {"name": _("Token name")}
        help_texts = {"name": _("Where the token will be used, e.g. “GitHub Actions, checkout-service”.")}


class HistoryImportForm(forms.Form):
    """Two optional CSV files, read and checked row by row; at least one is needed."""

    deployments = forms.FileField(
        label=_("Deployments (CSV)"),
        required=False,
        help_text=_(
            "Columns: external_id, service, environment, deployed_at, first_commit_at, status, is_rework "
            "(optional)."
        ),
    )
    incidents = forms.FileField(
        label=_("Incidents (CSV)"),
        required=False,
        help_text=_(
            "Columns: external_id, service, severity, started_at, resolved_at (optional), "
            "deployment_external_id (optional)."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.deployment_rows: list[tuple[int, DeploymentIn]] = []
        self.incident_rows: list[tuple[int, IncidentIn]] = []
        self.row_errors: list[RowError] = []

    def clean_deployments(self):
        upload = self.cleaned_data.get("deployments")
        if upload:
            try:
                self.deployment_rows, errors = importing.read_deployments(upload, file=upload.name)
            except importing.FileProblem as problem:
                raise forms.ValidationError(problem.message, code="file") from None
            self.row_errors.extend(errors)
        return upload

    def clean_incidents(self):
        upload = self.cleaned_data.get("incidents")
        if upload:
            try:
                self.incident_rows, errors = importing.read_incidents(upload, file=upload.name)
            except importing.FileProblem as problem:
                raise forms.ValidationError(problem.message, code="file") from None
            self.row_errors.extend(errors)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("deployments") and not cleaned.get("incidents"):
            raise forms.ValidationError(
                _("Choose a deployments file, an incidents file or both."), code="empty"
            )
        if not self.errors and not self.row_errors and not (self.deployment_rows or self.incident_rows):
            raise forms.ValidationError(_("The files have no data rows."), code="no_rows")
        return cleaned
