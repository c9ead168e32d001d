from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from assessments.models import TeamScore
from assessments.surveys import survey_slots
from improvements.models import Action
from portal.charts.survey import sparkline
from teams.models import Group, Membership, Team


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Surveys waiting for me first, then my teams with their level and trend, and the groups I lead."""
    memberships = list(
        Membership.objects.filter(user=request.user, team__active=True)
        .select_related("team", "team__group")
        .order_by("team__name")
    )
    history = defaultdict(list)
    for score in TeamScore.objects.for_teams([m.team_id for m in memberships]).select_related("round"):
        history[score.team_id].append(score)
    teams = []
    for membership in memberships:
        scores = history.get(membership.team_id, [])
        latest = next((s for s in reversed(scores) if s.is_published), None)
        indexes = [s.index if s.is_published else None for s in scores]
        teams.append(
            {
                "membership": membership,
                "latest": latest,
                "sparkline": sparkline(
                    indexes,
                    title=_("%(team)s: index over rounds") % {"team": membership.team.name},
                    slug=f"spark-{membership.team.slug}",
                )
                if any(i is not None for i in indexes)
                else None,
            }
        )
    # A group manager may be in no team at all: their way in is the groups they lead.
    led_groups = (
        Group.objects.filter(leads__user=request.user)
        .distinct()
        .order_by("name")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.active().order_by("name")))
    )
    slots = survey_slots(request.user)
    return render(
        request,
        "portal/home.html",
        {
            "teams": teams,
            "led_groups": list(led_groups),
            "slots": slots,
            "waiting": [s for s in slots if not s.done],
            "my_actions": Action.objects.mine(request.user),
        },
    )
