from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from assessments.models import Round
from assessments.results import WESTRUM_DIMENSION, org_heatmap, org_trend, scores_version
from delivery.metrics import DeliveryScore, delivery_scores, teams_performance
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


class Dot(NamedTuple):
    """A team, or a group of teams, on the culture-and-delivery charts, with its counts."""

    name: str
    culture: float
    responses: int
    throughput: float | None
    instability: float | None
    deployments: int
    teams: int = 1


def _culture_and_delivery(request: HttpRequest, heatmap) -> dict:
    """Culture against throughput and against instability: only teams with survey results (at k)
    and production deployments; the culture measure is chosen with ?culture=westrum|maturity.
    An org shown by groups plots a dot per group (4,000 team dots and their tables would be
    megabytes nobody reads)."""
    has_westrum = any(key == WESTRUM_DIMENSION for key, _name in heatmap.dimensions)
    measure = request.GET.get("culture", "")
    measure = measure if measure in CULTURE_MEASURES else ("westrum" if has_westrum else "maturity")
    if measure == "westrum" and not has_westrum:
        measure = "maturity"
    dots = group_dots(heatmap, measure) if heatmap.by_groups else _team_dots(heatmap.visible_rows, measure)
    context = {
        "culture_measure": measure,
        "culture_measures": CULTURE_MEASURES if has_westrum else {},
        "dots_are_groups": heatmap.by_groups,
    }
    if not dots:
        return context
    culture_title = str(CULTURE_MEASURES[measure])
    context["culture_delivery_rows"] = sorted(dots, key=lambda dot: dot.name)
    context["throughput_chart"] = culture_delivery_scatter(
        [
            (dot.name, dot.culture, dot.throughput, dot.responses, dot.deployments)
            for dot in dots
            if dot.throughput is not None
        ],
        culture_title=culture_title,
        delivery_title=_("throughput (0–100)"),
        title=_("Culture and throughput"),
        slug="culture-throughput",
        of_groups=heatmap.by_groups,
    )
    top = max((dot.instability or 0) for dot in dots)
    context["instability_chart"] = culture_delivery_scatter(
        [
            (dot.name, dot.culture, dot.instability, dot.responses, dot.deployments)
            for dot in dots
            if dot.instability is not None
        ],
        culture_title=culture_title,
        delivery_title=_("instability (% of deployments)"),
        delivery_max=max(50.0, float(-(-top // 10) * 10)),
        lower_is_better=True,
        title=_("Culture and instability"),
        slug="culture-instability",
        of_groups=heatmap.by_groups,
    )
    return context


def _team_dots(rows, measure: str) -> list[Dot]:
    """Each row's team with its culture by ``measure`` and its delivery, when it has both."""
    performance = {p.team_id: p for p in teams_performance([row.team for row in rows])}
    dots = []
    for row in rows:
        culture = (
            row.cells[WESTRUM_DIMENSION].index
            if measure == "westrum" and WESTRUM_DIMENSION in row.cells
            else (row.index if measure == "maturity" else None)
        )
        delivery = performance[row.team.pk]
        if culture is None or delivery.score is None:
            continue
        dots.append(
            Dot(
                name=row.team.name,
                culture=culture,
                responses=row.responses,
                throughput=delivery.throughput,
                instability=delivery.instability,
                deployments=delivery.deployments,
            )
        )
    return dots


def group_dots(heatmap, measure: str) -> list[Dot]:
    """A dot per group of an org shown by groups: the means of its teams that have both culture
    and delivery, when at least k of them have (SPEC §3.3, as for the group rows); counts are
    summed. The same for every viewer: the worker reads its delivery ahead (portal.warming)."""
    delivery = delivery_scores([team.team_id for team in heatmap.scored_teams])
    by_group: dict[int, list[tuple[float, DeliveryScore, int]]] = defaultdict(list)
    for team in heatmap.scored_teams:
        culture = team.westrum if measure == "westrum" else team.index
        numbers = delivery[team.team_id]
        if team.group_id is not None and culture is not None and numbers.score is not None:
            by_group[team.group_id].append((culture, numbers, team.responses))

    def mean(values: list[float | None]) -> float | None:
        known = [value for value in values if value is not None]
        return sum(known) / len(known) if known else None

    return [
        Dot(
            name=group.name,
            culture=mean([culture for culture, _numbers, _responses in teams]),
            responses=sum(responses for _culture, _numbers, responses in teams),
            throughput=mean([numbers.throughput for _culture, numbers, _responses in teams]),
            instability=mean([numbers.instability for _culture, numbers, _responses in teams]),
            deployments=sum(numbers.deployments for _culture, numbers, _responses in teams),
            teams=len(teams),
        )
        for group in heatmap.groups
        if len(teams := by_group.get(group.pk, [])) >= heatmap.round.k
    ]
