from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments.surveys import survey_slots
from improvements.models import Action
from teams.models import Membership


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user, team__active=True)
        .select_related("team", "team__group")
        .order_by("team__name")
    )
    slots = survey_slots(request.user)
    return render(
        request,
        "portal/home.html",
        {
            "memberships": memberships,
            "slots": slots,
            "waiting": [s for s in slots if not s.done],
            "my_actions": Action.objects.mine(request.user),
        },
    )
