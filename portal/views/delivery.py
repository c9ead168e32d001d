from __future__ import annotations

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from delivery import dora
from delivery.forms import ApiTokenForm, WebhookForm
from delivery.metrics import (
    RECORD_KEYS,
    RECORDS_HEADER,
    WINDOW_DAYS,
    Records,
    key_records,
    records_table,
    team_delivery,
)
from delivery.models import ApiToken, Webhook
from delivery.services import webhook_url_path
from portal.charts.delivery import delivery_trend_charts
from portal.views.exports import csv_response
from portal.views.params import int_param
from teams.access import can_lead, team_for_user
from teams.models import Team

RECORD_KEY_LABELS = {
    "deployment_frequency": _("Deployment frequency"),
    "change_lead_time": _("Change lead time"),
    "change_fail_rate": _("Change fail rate"),
    "failed_deployment_recovery_time": _("Failed deployment recovery time"),
    "deployment_rework_rate": _("Deployment rework rate"),
    "failed_attempts": _("Failed deployment attempts"),
    "incidents": _("Incidents"),
}
assert set(RECORD_KEY_LABELS) == set(RECORD_KEYS)


@require_safe
@login_required
def delivery_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's delivery keys and trends; leads also connect webhooks, manage API tokens and
    rules, and import history here."""
    team = team_for_user(request.user, slug)
    delivery = team_delivery(team)
    is_lead = can_lead(request.user, team)
    webhooks = []
    if is_lead:
        webhooks = [
            (webhook, request.build_absolute_uri(webhook_url_path(webhook)))
            for webhook in Webhook.objects.filter(team=team).with_last_delivery().order_by("-created_at")
        ]
    context = {
        "team": team,
        "delivery": delivery,
        "delivery_charts": delivery_trend_charts(delivery.months),
        "can_lead": is_lead,
        "tokens": ApiToken.objects.filter(team=team).select_related("created_by").order_by("-created_at")
        if is_lead
        else [],
        "token_form": ApiTokenForm() if is_lead else None,
        "webhooks": webhooks,
        "webhook_form": WebhookForm() if is_lead else None,
    }
    return render(request, "delivery/team.html", context)


def _period(request: HttpRequest, now: datetime) -> dora.Period:
    """``?month=2026-11`` (that calendar month; the current one partial) or ``?days=90``."""
    month = request.GET.get("month", "")
    if month:
        try:
            start = datetime.strptime(month, "%Y-%m").replace(tzinfo=timezone.get_current_timezone())
        except ValueError:
            start = None
        if start is not None and start <= now:
            following = (
                start.replace(year=start.year + 1, month=1)
                if start.month == 12
                else start.replace(month=start.month + 1)
            )
            return dora.Period(start, min(following, now), partial=following > now)
    days = int_param(request.GET, "days") or WINDOW_DAYS
    return dora.window(now, min(max(days, 1), 365))


def _records(request: HttpRequest, slug: str) -> tuple[Team, Records]:
    team = team_for_user(request.user, slug)
    key = request.GET.get("key", "")
    key = key if key in RECORD_KEYS else "deployment_frequency"
    service = request.GET.get("service", "")[:100]
    return team, key_records(team, key=key, period=_period(request, timezone.now()), service=service)


@require_safe
@login_required
def delivery_records(request: HttpRequest, slug: str) -> HttpResponse:
    """The deployments and incidents behind one number, filterable by key, period and service."""
    team, found = _records(request, slug)
    return render(
        request,
        "delivery/records.html",
        {
            "team": team,
            "records": found,
            "key_label": RECORD_KEY_LABELS[found.key],
            "record_keys": RECORD_KEY_LABELS,
            "query": request.GET.urlencode(),
        },
    )


@require_safe
@login_required
def delivery_records_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    team, found = _records(request, slug)
    name = f"{team.slug}-{found.key}-{found.period.start:%Y%m%d}.csv"
    return csv_response(name, RECORDS_HEADER, records_table(found))
