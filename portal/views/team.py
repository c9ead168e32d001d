from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments.models import DimensionComment, DimensionScore, Round, TeamScore
from assessments.services import rounds_close_due
from teams.access import can_lead, team_for_user


@require_GET
@login_required
def team_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """A team's results per closed round: scores at k or more, details at k_detail or more."""
    team = team_for_user(request.user, slug)
    rounds_close_due()
    team_scores = list(TeamScore.objects.history(team).select_related("round__model").reverse())
    visible_rounds = [score.round_id for score in team_scores if not score.hidden]
    dimension_scores = defaultdict(list)
    for score in (
        DimensionScore.objects.filter(team=team, round_id__in=visible_rounds)
        .select_related("dimension")
        .order_by("dimension__order")
    ):
        dimension_scores[score.round_id].append(score)
    detailed_rounds = [s.round_id for s in team_scores if not s.hidden and s.responses >= s.round.k_detail]
    comments = defaultdict(list)
    for comment in DimensionComment.objects.filter(team=team, round_id__in=detailed_rounds).select_related(
        "dimension"
    ):
        comments[comment.round_id].append(comment)
    results = [
        {
            "score": score,
            "round": score.round,
            "level_name": score.round.model.level_names.get(score.level, "") if score.level else "",
            "dimensions": dimension_scores.get(score.round_id, []),
            "comments": comments.get(score.round_id, []),
            "detailed": score.round_id in detailed_rounds,
        }
        for score in team_scores
    ]
    open_rounds = Round.objects.open().filter(teams=team).order_by("closes_at")
    return render(
        request,
        "portal/team_dashboard.html",
        {
            "team": team,
            "results": results,
            "open_rounds": open_rounds,
            "viewer_can_lead": can_lead(request.user, team),
        },
    )
