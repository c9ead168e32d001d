from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from assessments.forms import TargetLevelsForm
from assessments.models import Round
from assessments.results import team_results
from assessments.services import targets_set
from delivery.metrics import team_delivery
from improvements.models import Action, Stage
from portal.charts import survey as charts
from portal.charts.delivery import delivery_trend_charts
from portal.views.params import int_param
from teams.access import can_lead, role_in, team_for_user


@require_safe
@login_required
def team_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """A team's maturity in one closed round and over time. Scores at k or more, details at k_detail."""
    team = team_for_user(request.user, slug)
    results = team_results(team, int_param(request.GET, "round"))
    viewer_can_lead = can_lead(request.user, team)
    delivery = team_delivery(team)
    stages = dict(Action.objects.filter(team=team).values_list("stage").annotate(n=Count("id")).order_by())
    context = {
        "team": team,
        "results": results,
        "open_rounds": Round.objects.open().filter(teams=team).order_by("closes_at"),
        "rounds_being_scored": Round.objects.being_scored(team),
        "viewer_can_lead": viewer_can_lead,
        "viewer_is_member": role_in(request.user, team) is not None,
        "action_stages": [(value, label, stages.get(value, 0)) for value, label in Stage.choices],
        "charts": results_charts(results),
        "delivery": delivery,
        "delivery_charts": delivery_trend_charts(delivery.months),
    }
    if viewer_can_lead and results.dimensions:
        context["targets_form"] = TargetLevelsForm(
            dimensions=results.dimensions, level_names=results.level_names
        )
    return render(request, "portal/team_dashboard.html", context)


def results_charts(results) -> dict:
    """The charts of a team's results (trend, radar, answer distributions); the worker draws
    them ahead of the first view (portal.warming)."""
    charts_ = {}
    if results.trend_labels and len(results.trend_labels) > 1:
        charts_["trend"] = charts.trend(
            results.trend_labels,
            results.trend,
            title=_("Index per dimension over rounds"),
            slug="trend",
        )
    if results.dimensions:
        names = [row.name for row in results.dimensions]
        series = [(_("This round"), [row.index for row in results.dimensions])]
        if results.previous_indexes:
            series.append(
                (_("Previous round"), [results.previous_indexes.get(r.key) for r in results.dimensions])
            )
        if results.org_median:
            series.append((_("Org median"), [results.org_median.get(r.key) for r in results.dimensions]))
        charts_["radar"] = charts.radar(
            names, series, title=_("Maturity per dimension (index 0–100)"), slug="radar"
        )
    if results.questions:
        charts_["likert"] = charts.likert(
            [charts.LikertRow(q.text, q.counts, q.dont_know, q.not_applicable) for q in results.questions],
            results.round.model.labels,
            title=_("Answers per question"),
            slug="likert",
        )
    return charts_


@require_POST
@login_required
def team_targets(request: HttpRequest, slug: str) -> HttpResponse:
    """Leads set the level their team aims for in each dimension."""
    team = team_for_user(request.user, slug)
    if not can_lead(request.user, team):
        raise PermissionDenied
    results = team_results(team)
    if not results.dimensions:
        messages.error(request, _("Targets can be set once the team has results."))
        return redirect("team_dashboard", slug=team.slug)
    form = TargetLevelsForm(request.POST, dimensions=results.dimensions, level_names=results.level_names)
    if form.is_valid():
        targets_set(team=team, levels=form.levels())
        messages.success(request, _("Target levels saved."))
    else:
        messages.error(request, _("Target levels were not saved: choose a level from 1 to 5, or none."))
    return redirect("team_dashboard", slug=team.slug)
