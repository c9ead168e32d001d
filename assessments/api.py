"""Survey results for BI tools: GET /api/v1/rounds/{id}/scores (portal/api.py mounts this router).

Same visibility as the org dashboard (teams.access): the teams whose results the person may
open, and only numbers that passed their gate. A team–round below it appears with its response
count, ``hidden: true`` and the reason — there is no score stored for it that could be sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.security import django_auth

from assessments import agreement
from assessments.models import DimensionScore, Round, TeamScore
from teams.access import teams_with_results

router = Router(tags=["survey results"])


class DimensionScoreOut(Schema):
    key: str
    name: str
    index: float
    mean: float
    level: int
    responses: int
    stdev: float
    agreement: float | None = Field(
        description="Within-team agreement rwg(j), 0–1, against the scale's uniform null; null when unknown."
    )
    agreement_band: str | None = Field(description="weak (≤ .50), moderate, strong or very-strong.")


class TeamScoresOut(Schema):
    team: str
    group: str | None
    responses: int
    members: int
    hidden: bool
    hidden_reason: str | None
    index: float | None
    level: int | None
    dimensions: list[DimensionScoreOut]


class RoundScoresOut(Schema):
    round: int
    name: str
    closed_at: datetime
    model: str
    scale_points: int
    k: int
    teams: list[TeamScoresOut]


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: list[dict]


@router.get(
    "/rounds/{round_id}/scores",
    auth=django_auth,
    response={200: RoundScoresOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="A closed round's scores, team × dimension",
    description=(
        "Signed-in users only, for the teams whose results they may open. Teams below the round's "
        "anonymity gate are listed with their response count, `hidden: true` and `hidden_reason` "
        "(`few-responses` or `few-on-scale`), never with a score. Open or unknown rounds are 404."
    ),
)
def round_scores(request: HttpRequest, round_id: Annotated[int, Path(ge=1, le=2**31 - 1)]):
    round_ = Round.objects.scored().select_related("model").filter(pk=round_id).first()
    if round_ is None:
        return Status(404, {"detail": _("No closed round with this id.")})
    teams = teams_with_results(request.user)
    dimensions: dict[int, list[dict]] = {}
    for score in (
        DimensionScore.objects.published()
        .filter(round=round_, team__in=teams)
        .select_related("dimension")
        .order_by("dimension__order")
    ):
        dimensions.setdefault(score.team_id, []).append(
            {
                "key": score.dimension_key,
                "name": score.dimension.local_name,
                "index": round(score.index, 2),
                "mean": round(score.mean, 3),
                "level": score.level,
                "responses": score.responses,
                "stdev": round(score.stdev, 3),
                "agreement": None if score.agreement is None else round(score.agreement, 3),
                "agreement_band": None if score.agreement is None else agreement.band(score.agreement).key,
            }
        )
    rows = []
    for score in (
        TeamScore.objects.filter(round=round_, team__in=teams).select_related("team__group", "round")
    ).order_by("team__name"):
        published = score.is_published
        reason = score.hidden_reason
        rows.append(
            {
                "team": score.team.slug,
                "group": score.team.group.slug if score.team.group else None,
                "responses": score.responses,
                "members": score.invited,
                "hidden": not published,
                "hidden_reason": reason.value if reason else None,
                "index": round(score.index, 2) if published else None,
                "level": score.level if published else None,
                "dimensions": dimensions.get(score.team_id, []) if published else [],
            }
        )
    return Status(
        200,
        {
            "round": round_.pk,
            "name": round_.name,
            "closed_at": round_.ended_at,
            "model": str(round_.model),
            "scale_points": round_.model.scale_points,
            "k": round_.k,
            "teams": rows,
        },
    )
