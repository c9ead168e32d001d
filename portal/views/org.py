from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from assessments.models import Round
from assessments.results import org_heatmap, org_trend, scores_version
from delivery.metrics import teams_performance
from portal.charts import survey as charts
from portal.charts.delivery import delivery_vs_culture_scatter
from portal.views.params import int_param


@require_safe
@login_required
def org_dashboard(request: HttpRequest) -> HttpResponse:
    """Teams × dimensions: rows of the teams the viewer may open, org aggregates over at least k teams."""
    heatmap = org_heatmap(
        viewer=request.user,
        group_slug=request.GET.get("group") or None,
        round_id=int_param(request.GET, "round"),
        sort=request.GET.get("sort") or None,
    )
    context = {
        "heatmap": heatmap,
        "sort": heatmap.sort,
        "rounds_being_scored": Round.objects.being_scored(),
    }
    if heatmap.round is not None:
        names = dict(heatmap.dimensions)
        labels, series, _teams = org_trend(names, version=scores_version(heatmap.rounds))
        if len(labels) > 1:
            context["trend_chart"] = charts.trend(
                labels, series, title=_("Org index over rounds (teams that reached k)"), slug="org-trend"
            )
        if heatmap.has_aggregates:
            context["levels_chart"] = charts.level_distribution(
                heatmap.level_counts, heatmap.level_names, title=_("Teams per level"), slug="org-levels"
            )
        # Culture beside delivery: only teams with survey results (at k) and deployments.
        visible = heatmap.visible_rows
        performance = {p.team_id: p for p in teams_performance([row.team for row in visible])}
        points = [
            (row.team.name, row.index, performance[row.team.pk].score)
            for row in visible
            if row.index is not None and performance[row.team.pk].score is not None
        ]
        if points:
            context["culture_delivery_chart"] = delivery_vs_culture_scatter(points)
    return render(request, "portal/org_dashboard.html", context)
