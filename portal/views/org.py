from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from assessments.models import Round
from assessments.results import WESTRUM_DIMENSION, org_heatmap, org_trend, scores_version
from delivery.metrics import teams_performance
from portal.charts import survey as charts
from portal.charts.delivery import culture_delivery_scatter
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
        teams_at_once=None if request.GET.get("view") == "teams" else settings.GEMBA_ORG_TEAMS_AT_ONCE,
    )
    context = {
        "heatmap": heatmap,
        "sort": heatmap.sort,
        "rounds_being_scored": Round.objects.being_scored(),
    }
    if heatmap.round is not None:
        context.update(org_charts(heatmap))
        context.update(_culture_and_delivery(request, heatmap))
    return render(request, "portal/org_dashboard.html", context)


def org_charts(heatmap) -> dict:
    """The org's trend and its teams per level, the same for every viewer of the view; the
    worker draws them ahead of the first view (portal.warming)."""
    drawn = {}
    labels, series, _teams = org_trend(dict(heatmap.dimensions), version=scores_version(heatmap.rounds))
    if len(labels) > 1:
        drawn["trend_chart"] = charts.trend(
            labels, series, title=_("Org index over rounds (teams that reached k)"), slug="org-trend"
        )
    if heatmap.has_aggregates:
        drawn["levels_chart"] = charts.level_distribution(
            heatmap.level_counts, heatmap.level_names, title=_("Teams per level"), slug="org-levels"
        )
    return drawn


CULTURE_MEASURES = {
    "westrum": gettext_lazy("Westrum culture index (0–100)"),
    "maturity": gettext_lazy("overall maturity index (0–100)"),
}


def _culture_and_delivery(request: HttpRequest, heatmap) -> dict:
    """Culture against throughput and against instability: only teams with survey results (at k)
    and production deployments; the culture measure is chosen with ?culture=westrum|maturity."""
    has_westrum = any(key == WESTRUM_DIMENSION for key, _name in heatmap.dimensions)
    measure = request.GET.get("culture", "")
    measure = measure if measure in CULTURE_MEASURES else ("westrum" if has_westrum else "maturity")
    if measure == "westrum" and not has_westrum:
        measure = "maturity"
    visible = heatmap.visible_rows
    performance = {p.team_id: p for p in teams_performance([row.team for row in visible])}
    points = []
    for row in visible:
        culture = (
            row.cells[WESTRUM_DIMENSION].index
            if measure == "westrum" and WESTRUM_DIMENSION in row.cells
            else (row.index if measure == "maturity" else None)
        )
        delivery = performance[row.team.pk]
        if culture is None or delivery.score is None:
            continue
        points.append((row.team.name, culture, delivery, row.responses))
    context = {"culture_measure": measure, "culture_measures": CULTURE_MEASURES if has_westrum else {}}
    if not points:
        return context
    culture_title = str(CULTURE_MEASURES[measure])
    context["culture_delivery_rows"] = sorted(
        (
            (name, culture, responses, d.throughput, d.instability, d.deployments)
            for name, culture, d, responses in points
        ),
        key=lambda row: row[0],
    )
    context["throughput_chart"] = culture_delivery_scatter(
        [
            (name, culture, d.throughput, responses, d.deployments)
            for name, culture, d, responses in points
            if d.throughput is not None
        ],
        culture_title=culture_title,
        delivery_title=_("throughput (0–100)"),
        title=_("Culture and throughput"),
        slug="culture-throughput",
    )
    top = max((d.instability or 0) for _n, _c, d, _r in points)
    context["instability_chart"] = culture_delivery_scatter(
        [
            (name, culture, d.instability, responses, d.deployments)
            for name, culture, d, responses in points
            if d.instability is not None
        ],
        culture_title=culture_title,
        delivery_title=_("instability (% of deployments)"),
        delivery_max=max(50.0, float(-(-top // 10) * 10)),
        lower_is_better=True,
        title=_("Culture and instability"),
        slug="culture-instability",
    )
    return context
    return render(request, "portal/org_dashboard.html", context)
