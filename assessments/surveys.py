"""What a member has to answer: each open round × each of their teams it covers."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.models import Participation, Response, Round
from assessments.services import respondent_key
from teams.models import Team


@dataclass(frozen=True)
class SurveySlot:
    round: Round
    team: Team
    state: str  # "new", "draft" or "submitted"

    @property
    def done(self) -> bool:
        return self.state == "submitted"


def survey_slots(user) -> list[SurveySlot]:
    """The user's open surveys, not yet started first, then drafts, then the ones already sent."""
    rounds = list(Round.objects.open_for(user))
    pairs = [(round_, team) for round_ in rounds for team in round_.my_teams]
    if not pairs:
        return []
    submitted = set(
        Participation.objects.filter(user=user, round__in=rounds).values_list("round_id", "team_id")
    )
    keys = {respondent_key(user_id=user.pk, round_id=r.pk, team_id=t.pk): (r.pk, t.pk) for r, t in pairs}
    drafts = {
        keys[key]
        for key in Response.objects.filter(respondent_key__in=keys, round__in=rounds).values_list(
            "respondent_key", flat=True
        )
    }
    order = {"new": 0, "draft": 1, "submitted": 2}
    slots = []
    for round_, team in pairs:
        ids = (round_.pk, team.pk)
        state = "submitted" if ids in submitted else "draft" if ids in drafts else "new"
        slots.append(SurveySlot(round=round_, team=team, state=state))
    return sorted(slots, key=lambda slot: (order[slot.state], slot.round.closes_at, slot.team.name))
