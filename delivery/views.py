"""The leads' side of the team delivery page: API tokens and the history import.

The page itself, with the keys and their charts, is composed in portal.views.delivery.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

import addresses
from addresses import address
from delivery import importing
from delivery.forms import ApiTokenForm, DeliveryRulesForm, HistoryImportForm, WebhookForm, WebhookSecretForm
from delivery.ingest import APPLY_DAYS, proposed_rules, rules_apply, rules_change, webhook_receive
from delivery.models import ApiToken, DeliveryRules, Provider, Webhook
from delivery.services import (
    ImportRejected,
    api_token_create,
    api_token_revoke,
    history_import,
    webhook_create,
    webhook_revoke,
    webhook_secret_set,
    webhook_url_path,
)
from teams.access import can_lead, team_for_lead
from teams.models import Team


def _delivery_page(slug: str) -> str:
    return address(addresses.TEAM_DELIVERY, slug=slug)


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
    token, raw = api_token_create(team=team, name=form.cleaned_data["name"], by=request.user)
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


# --- webhooks


PROVIDER_TEMPLATES = {
    "github": "delivery/connect/_github.html",
    "gitlab": "delivery/connect/_gitlab.html",
    "pagerduty": "delivery/connect/_pagerduty.html",
    "opsgenie": "delivery/connect/_opsgenie.html",
    "generic": "delivery/connect/_generic.html",
}


@require_POST
@login_required
def webhook_new(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_lead(request.user, slug)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("The webhook was not created: %(error)s") % {"error": error})
        return redirect(_delivery_page(team.slug))
    webhook, secret = webhook_create(
        team=team,
        provider=form.cleaned_data["provider"],
        name=form.cleaned_data["name"],
        by=request.user,
    )
    # Shown on this response only, like a new API token.
    response = render(
        request,
        "delivery/webhook_created.html",
        {
            "team": team,
            "webhook": webhook,
            "secret": secret,
            "url": request.build_absolute_uri(webhook_url_path(webhook)),
            "connect_template": PROVIDER_TEMPLATES[webhook.provider],
            "secret_form": WebhookSecretForm(),
        },
    )
    add_never_cache_headers(response)
    return response


@require_POST
@login_required
def webhook_secret_form(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_lead(request.user, slug)
    webhook = get_object_or_404(Webhook.objects.active(), team=team, pk=pk)
    form = WebhookSecretForm(request.POST)
    if form.is_valid():
        webhook_secret_set(webhook=webhook, secret=form.cleaned_data["secret"], by=request.user)
        messages.success(
            request,
            _("The secret of the %(provider)s webhook is set: calls signed with the old one get 401 now.")
            % {"provider": webhook.get_provider_display()},
        )
    else:
        for error in form.errors.get("secret", []):
            messages.error(request, _("The secret was not set: %(error)s") % {"error": error})
    return redirect(_delivery_page(team.slug) + "#webhooks-heading")


@require_POST
@login_required
def webhook_revoke_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_lead(request.user, slug)
    webhook = get_object_or_404(Webhook, team=team, pk=pk)
    webhook_revoke(webhook=webhook, by=request.user)
    messages.success(
        request,
        _("The %(provider)s webhook is revoked: its URL answers 401 now.")
        % {"provider": webhook.get_provider_display()},
    )
    return redirect(_delivery_page(team.slug) + "#webhooks-heading")


# --- rules


def _routable(user, team: Team) -> dict[str, Team]:
    """The teams a lead may send events to: the team itself and the other teams they lead."""
    teams = {team.slug: team}
    for other in Team.objects.filter(group_id=team.group_id) if team.group_id else []:
        if can_lead(user, other):
            teams[other.slug] = other
    return teams


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def rules_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's rules with a dry run: "Preview" shows what would move, "Save and apply" moves it."""
    team = team_for_lead(request.user, slug)
    own = DeliveryRules.objects.filter(team=team).first()
    inherited = (
        None
        if own
        else DeliveryRules.objects.filter(group_id=team.group_id).first()
        if team.group_id
        else None
    )
    # Start from the group's rules when the team has none of its own.
    instance = own or DeliveryRules(
        team=team, **({f: getattr(inherited, f) for f in DeliveryRulesForm.Meta.fields} if inherited else {})
    )
    routable = _routable(request.user, team)
    moves = None
    if request.method == "POST":
        form = DeliveryRulesForm(request.POST, instance=instance, routable=routable)
        if form.is_valid():
            if "save" in request.POST:
                moved = rules_change(
                    team=team, stored=form.save(commit=False), routes=form.unsaved_routes(), by=request.user
                )
                messages.success(
                    request,
                    ngettext(
                        "The rules are saved and applied: %(count)s change to stored records.",
                        "The rules are saved and applied: %(count)s changes to stored records.",
                        len(moved),
                    )
                    % {"count": len(moved)},
                )
                return redirect("delivery:rules", slug=team.slug)
            proposed = proposed_rules(team, form.save(commit=False), form.unsaved_routes())
            moves = rules_apply(team=team, dry_run=True, proposed=proposed)
    else:
        form = DeliveryRulesForm(instance=instance, routable=routable)
    return render(
        request,
        "delivery/rules.html",
        {
            "team": team,
            "form": form,
            "moves": moves,
            "own": own,
            "inherited": inherited,
            "apply_days": APPLY_DAYS,
        },
    )


# --- receiving provider calls


@csrf_exempt
def receive(request: HttpRequest, provider: str, public_id: str) -> JsonResponse:
    """A provider's call to a webhook URL: 2xx once stored (or seen before), 401 unsigned, 400 unreadable."""
    if request.method != "POST":
        response = JsonResponse({"detail": _("Webhooks take POST only.")}, status=405)
        response["Allow"] = "POST"
        return response
    if provider not in Provider.values:
        return JsonResponse({"detail": _("Unknown provider.")}, status=404)
    try:
        body = request.body
    except RequestDataTooBig:
        return JsonResponse({"detail": _("The body is too large.")}, status=413)
    received = webhook_receive(
        provider=provider, public_id=public_id[:64], headers=request.headers, body=body
    )
    return JsonResponse(received.body, status=received.status)
