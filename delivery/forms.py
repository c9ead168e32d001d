from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from delivery import importing, rules
from delivery.models import ApiToken, DeliveryRules, Provider, ServiceRoute
from delivery.schemas import DeploymentIn, IncidentIn
from delivery.services import RowError
from teams.models import Team


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


class WebhookForm(forms.Form):
    provider = forms.ChoiceField(label=_("Provider"), choices=Provider.choices)
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        help_text=_("Optional: which repository or service, e.g. “acme/shop”."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if any(not ch.isprintable() for ch in name):
            raise forms.ValidationError(_("The name must be plain text on one line."))
        return name


class WebhookSecretForm(forms.Form):
    secret = forms.CharField(
        label=_("Signing secret"),
        min_length=8,
        max_length=200,
        strip=True,
        help_text=_("The secret the provider shows for this subscription (PagerDuty makes its own)."),
    )

    def clean_secret(self) -> str:
        secret = self.cleaned_data["secret"]
        if any(not ch.isprintable() or ch.isspace() for ch in secret):
            raise forms.ValidationError(_("The secret must be one word of printable characters."))
        return secret


ROUTE_LINE = re.compile(r"^(?P<pattern>.+?)\s*->\s*(?P<team>[-a-zA-Z0-9_]+)(?:\s+as\s+(?P<service>.+))?$")


class DeliveryRulesForm(forms.ModelForm):
    """A team's rules; routes are written one per line: ``pattern -> team-slug [as service]``."""

    routes = forms.CharField(
        label=_("Routes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: origin pattern -> team slug, optionally “as service name”. "
            "E.g. acme/shop:services/checkout/* -> checkout as checkout-api. "
            "The first that matches decides; events matching none stay with the webhook's team."
        ),
    )

    class Meta:
        model = DeliveryRules
        fields = [
            "production",
            "rework_labels",
            "rework_branches",
            "rework_titles",
            "deploy_workflows",
            "link_window_hours",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in [
                "production",
                "rework_labels",
                "rework_branches",
                "rework_titles",
                "deploy_workflows",
            ]
        }

    def __init__(self, *args, routable: dict[str, Team], **kwargs) -> None:
        """``routable``: slug → team, the teams this person may send events to."""
        super().__init__(*args, **kwargs)
        self.routable = routable
        self.fields["link_window_hours"].widget.attrs["max"] = 720
        if self.instance.pk and not self.is_bound:
            self.initial["routes"] = "\n".join(
                f"{r.pattern} -> {r.team.slug}" + (f" as {r.service}" if r.service else "")
                for r in self.instance.routes.select_related("team")
            )

    def _clean_patterns(self, name: str, *, required: bool = False) -> str:
        text = self.cleaned_data.get(name, "")
        found = rules.patterns(text)
        for pattern in found:
            if len(pattern) > 200 or any(not ch.isprintable() for ch in pattern):
                raise forms.ValidationError(_("Each pattern is one line of at most 200 characters."))
        if required and not found:
            raise forms.ValidationError(_("Name at least one environment that counts as production."))
        return "\n".join(found)

    def clean_production(self) -> str:
        return self._clean_patterns("production", required=True)

    def clean_rework_labels(self) -> str:
        return self._clean_patterns("rework_labels")

    def clean_rework_branches(self) -> str:
        return self._clean_patterns("rework_branches")

    def clean_rework_titles(self) -> str:
        return self._clean_patterns("rework_titles")

    def clean_deploy_workflows(self) -> str:
        return self._clean_patterns("deploy_workflows")

    def clean_link_window_hours(self) -> int:
        hours = self.cleaned_data["link_window_hours"]
        if hours > 720:
            raise forms.ValidationError(_("At most 720 hours (30 days)."))
        return hours

    def clean_routes(self) -> list[tuple[str, Team, str]]:
        routes = []
        for number, line in enumerate(self.cleaned_data.get("routes", "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = ROUTE_LINE.match(line)
            if match is None or any(not ch.isprintable() for ch in line) or len(line) > 400:
                raise forms.ValidationError(
                    _("Line %(line)s: write “pattern -> team-slug” or “pattern -> team-slug as service”.")
                    % {"line": number}
                )
            team = self.routable.get(match["team"])
            if team is None:
                raise forms.ValidationError(
                    _("Line %(line)s: “%(slug)s” is not a team you lead.")
                    % {"line": number, "slug": match["team"]}
                )
            routes.append((match["pattern"].strip()[:300], team, (match["service"] or "").strip()[:100]))
        return routes

    def unsaved_routes(self) -> list[ServiceRoute]:
        return [
            ServiceRoute(rules=self.instance, position=i, pattern=p, team=t, service=s)
            for i, (p, t, s) in enumerate(self.cleaned_data["routes"])
        ]
