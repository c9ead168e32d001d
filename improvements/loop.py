"""Closing the loop: did the countermeasure move the needle? SPEC §3.5.

For an action linked to a dimension, the dimension's stored score in the round the action came
from and in the team's next scored round, with the change. Read from the aggregates stored when
rounds close (``DimensionScore`` by team and dimension key, so the comparison spans model
versions), never from answers. A team–round below the round's k has no dimension score at all;
it then shows as hidden, with its response count only.

An action linked to a dimension but not to a round is compared from the team's last scored
round closed before the action was created.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments import scoring
from assessments.models import DimensionScore, Round, TeamScore
from improvements.models import Action


@dataclass(frozen=True)
class LoopPoint:
    """One end of the comparison: a round and what the team's stored results say in it."""

    round: Round
    score: DimensionScore | None
    team_score: TeamScore | None

    @property
    def state(self) -> str:
        """ "scored", "hidden" (below the anonymity threshold) or "missing" (the team had no result)."""
        if self.score is not None:
            return "scored"
        if self.team_score is not None and self.team_score.hidden:
            return "hidden"
        return "missing"

    @property
    def responses(self) -> int | None:
        return self.team_score.responses if self.team_score is not None else None


@dataclass(frozen=True)
class Loop:
    dimension_key: str
    dimension_name: str
    before: LoopPoint | None
    after: LoopPoint | None

    @property
    def delta(self) -> float | None:
        """Change of the score on the answer scale, when both ends have one."""
        if self.before and self.after and self.before.score and self.after.score:
            return scoring.delta(self.after.score.mean, self.before.score.mean)
        return None

    @property
    def index_delta(self) -> float | None:
        """Change of the 0–100 index, comparable across model versions."""
        if self.before and self.after and self.before.score and self.after.score:
            return scoring.delta(self.after.score.index, self.before.score.index)
        return None

    @property
    def comparable_scale(self) -> bool:
        """Whether both scores sit on the same answer scale, so their difference in points means something."""
        if self.delta is None:
            return False
        return self.before.round.model.scale_points == self.after.round.model.scale_points


def loop_for(action: Action) -> Loop | None:
    """The loop-closing comparison of an action linked to a dimension; None when it has none.

    Three or four queries; fetch the action with ``select_related("dimension", "source_round__model")``.
    """
    if action.dimension_id is None:
        return None
    dimension = action.dimension
    scored = Round.objects.scored().covering(action.team).select_related("model").order_by("closes_at", "pk")
    source = action.source_round
    if source is None:
        source = scored.filter(closes_at__lte=action.created_at).order_by("-closes_at", "-pk").first()
    if source is None:
        return Loop(dimension_key=dimension.key, dimension_name=dimension.local_name, before=None, after=None)
    following = scored.filter(closes_at__gt=source.closes_at).first()
    rounds = [source] + ([following] if following else [])
    round_ids = [round_.pk for round_ in rounds]
    team_scores = {
        ts.round_id: ts for ts in TeamScore.objects.filter(team=action.team, round_id__in=round_ids)
    }
    scores = {
        score.round_id: score
        for score in DimensionScore.objects.published().filter(
            team=action.team, round_id__in=round_ids, dimension_key=dimension.key
        )
    }

    def point(round_: Round) -> LoopPoint:
        return LoopPoint(round=round_, score=scores.get(round_.pk), team_score=team_scores.get(round_.pk))

    return Loop(
        dimension_key=dimension.key,
        dimension_name=dimension.local_name,
        before=point(source),
        after=point(following) if following else None,
    )
