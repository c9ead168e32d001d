from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from delivery.forms import ApiTokenForm
from delivery.metrics import team_delivery as read_team_delivery
from delivery.models import ApiToken
from portal.charts.delivery import delivery_trend_charts
from teams.access import can_lead, team_for_user


@require_safe
@login_required
def team_delivery(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's delivery keys and trends; leads also manage API tokens and import history here."""
    team = team_for_user(request.user, slug)
    delivery = read_team_delivery(team)
    is_lead = can_lead(request.user, team)
    context = {
        "team": team,
        "delivery": delivery,
        "delivery_charts": delivery_trend_charts(delivery.months),
        "can_lead": is_lead,
        "tokens": ApiToken.objects.filter(team=team).select_related("created_by").order_by("-created_at")
        if is_lead
        else [],
        "token_form": ApiTokenForm() if is_lead else None,
    }
    return render(request, "delivery/team.html", context)
