"""The improvement board of a team: columns, flow metrics and charts, and the form for a new action.

This page lives in ``portal`` because it composes the board with charts (``portal.charts.flow``),
and a domain app never imports ``portal``. Forms, services, models and flow metrics stay in
``improvements``; the action page, moves, experiments, WIP limits and the CSV export are views
of ``improvements`` itself (they need no chart).

Who may do what (see ``improvements.access``): whoever may see the team's dashboard sees the
board; members and leads of the team create and move actions; group managers and staff look on
read-only (403 on a write); the team lead sets WIP limits; outsiders get 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from improvements import flow, services
from improvements.access import can_set_limits, can_work_on
from improvements.board import board_columns
from improvements.forms import ActionForm
from improvements.models import Action, WipLimit, stage_labels
from improvements.views import refused_moves
from portal.charts.flow import cumulative_flow_chart, throughput_chart
from teams.access import role_in, team_for_user

AGING_SHOWN = 5


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def action_board(request: HttpRequest, slug: str) -> HttpResponse:
    """The board: a column per stage with count and limit, the flow metrics, and a new-action form.

    ``?dimension=<key or id>&round=<id>`` prefills the form, for "start an improvement action"
    links on the dashboard.
    """
    team = team_for_user(request.user, slug)
    role = role_in(request.user, team)
    can_work = can_work_on(role)
    status = 200
    if request.method == "POST":
        if not can_work:
            raise PermissionDenied
        form = ActionForm(request.POST, team=team)
        if form.is_valid():
            try:
                action = services.action_create(team=team, by=request.user, **form.cleaned_data)
            except services.ColumnFull as refused:
                messages.error(request, refused.message)
                status = 409
            else:
                messages.success(
                    request, _("“%(title)s” is on the board, in Plan.") % {"title": action.title}
                )
                return redirect(reverse("action_board", args=[team.slug]) + f"#action-{action.pk}")
        else:
            messages.error(request, _("The action was not created: please correct the marked fields."))
            status = 400
    else:
        form = ActionForm(team=team, initial={"owner": request.user.pk} if can_work else {})
        form.prefill(dimension=request.GET.get("dimension"), round_id=request.GET.get("round"))

    actions = Action.objects.for_team(team)
    cards = list(actions)
    labels = stage_labels()
    metrics = flow.summary(actions.flows(), now=timezone.localtime())
    aging_cards = {card.pk: card for card in cards}
    refused, page_messages = refused_moves(request)
    for card in cards:
        card.refused = refused.pop(card.pk, None)
    context = {
        # A refused move whose card is not on this board (any more) is said at the top as usual.
        "page_messages": [*page_messages, *(message for message, _stage in refused.values())],
        "team": team,
        "can_work": can_work,
        "can_set_limits": can_set_limits(role),
        "columns": board_columns(cards, limits=WipLimit.objects.for_team(team), labels=labels),
        "form": form,
        "prefilled": bool(request.GET.get("dimension") or request.GET.get("round")),
        "metrics": metrics,
        "aging": [(aging_cards[row.id], row) for row in metrics.aging[:AGING_SHOWN]],
        "stages": list(labels.items()),
        "cfd_chart": cumulative_flow_chart(metrics.cumulative_flow, labels=labels) if cards else None,
        "throughput_chart": throughput_chart(metrics.throughput) if cards else None,
    }
    return render(request, "portal/action_board.html", context, status=status)
