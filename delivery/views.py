"""The leads' side of the team delivery page: API tokens and the history import.

The page itself, with the keys and their charts, is composed in portal.views.delivery.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from delivery import importing
from delivery.forms import ApiTokenForm, HistoryImportForm
from delivery.models import ApiToken
from delivery.services import ImportRejected, api_token_create, api_token_revoke, history_import
from teams.access import team_for_lead


def _delivery_page(slug: str) -> str:
    return reverse("team_delivery", kwargs={"slug": slug})


def try_it_example(now: datetime) -> dict[str, str]:
    """The "Try it" deployment: an hour ago, so it lands inside the 90-day window and the delivery
    page changes visibly when it is sent."""
    deployed = (now - timedelta(hours=1)).astimezone(UTC).replace(second=0, microsecond=0)
    return {
        "deployed_at": deployed.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "first_commit_at": (deployed - timedelta(hours=5, minutes=18)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "external_id": f"web-try-{deployed:%Y%m%d%H%M}",
    }


@require_POST
@login_required
def token_create(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_lead(request.user, slug)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("name", []):
            messages.error(request, _("The token was not created: %(error)s") % {"error": error})
        return redirect(_delivery_page(team.slug))
    token, raw = api_token_create(team=team, name=form.cleaned_data["name"], created_by=request.user)
    # Shown on this response only: no redirect (it would need the token in the session), no caching.
    response = render(
        request,
        "delivery/token_created.html",
        {
            "team": team,
            "token": token,
            "raw_token": raw,
            "api_base": request.build_absolute_uri("/api/v1/"),
            "example": try_it_example(timezone.now()),
        },
    )
    add_never_cache_headers(response)
    return response


@require_POST
@login_required
def token_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_lead(request.user, slug)
    token = get_object_or_404(ApiToken, team=team, pk=pk)
    api_token_revoke(token=token, by=request.user)
    messages.success(
        request, _("Token “%(name)s” is revoked: pipelines using it get 401 now.") % {"name": token.name}
    )
    return redirect(_delivery_page(team.slug))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def history_upload(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_lead(request.user, slug)
    row_errors = []
    if request.method == "POST":
        form = HistoryImportForm(request.POST, request.FILES)
        if form.is_valid():
            row_errors = form.row_errors
            if not row_errors:
                try:
                    result = history_import(
                        team=team,
                        deployments=form.deployment_rows,
                        incidents=form.incident_rows,
                        deployments_file=getattr(form.cleaned_data.get("deployments"), "name", ""),
                        incidents_file=getattr(form.cleaned_data.get("incidents"), "name", ""),
                    )
                except ImportRejected as rejected:
                    row_errors = rejected.errors
                else:
                    messages.success(
                        request,
                        _(
                            "Imported %(deployments)s deployments and %(incidents)s incidents; "
                            "%(present)s rows were already stored and left as they were."
                        )
                        % {
                            "deployments": result.deployments_created,
                            "incidents": result.incidents_created,
                            "present": result.deployments_present + result.incidents_present,
                        },
                    )
                    return redirect(_delivery_page(team.slug))
    else:
        form = HistoryImportForm()
    return render(
        request,
        "delivery/import.html",
        {
            "team": team,
            "form": form,
            "row_errors": sorted(row_errors, key=lambda e: (e.file, e.row)),
            "deployment_columns": importing.DEPLOYMENT_COLUMNS,
            "incident_columns": importing.INCIDENT_COLUMNS,
            "max_rows": importing.MAX_ROWS,
        },
    )
