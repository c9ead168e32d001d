"""Scoring, pure and typed: no ORM. SPEC §3.4.

A value used is the answer given, or ``points + 1 − answer`` for a reverse-scored question
(6 − answer on a 5-point scale, 8 − answer on the default 7-point one). "Don't know" and
"not applicable" are counted but never enter a mean.

``team_round`` scores one team in one round from its tallies (how many gave each answer to each
question) with every gate of SPEC §3.3; ``assessments.scores`` only reads the tallies from the
database and stores what comes back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median

from assessments import agreement

# Westrum's typology of organisational culture, banded on the 0–100 index of the six Westrum
# questions. Westrum (2004) describes three types; DORA measures them on a 7-point scale. We
# call a team generative from index 70 (on average between "somewhat agree" and "agree" or
# better), pathological below 40 (on average disagreeing), bureaucratic in between.
WESTRUM_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "pathological"),
    (40.0, "bureaucratic"),
    (70.0, "generative"),
)

DEFAULT_LEVEL_THRESHOLDS: tuple[float, ...] = (20.0, 40.0, 60.0, 80.0)


@dataclass(frozen=True)
class Summary:
    """Mean, spread and counts of the values used for one dimension or question."""

    count: int
    mean: float | None
    stdev: float | None


@dataclass(frozen=True)
class Score:
    mean: float
    index: float
    level: int
    stdev: float
    count: int


def value_used(answer: int, points: int, reverse: bool) -> int:
    """The value that enters means: the answer, or its mirror on the scale for reverse items."""
    if not 1 <= answer <= points:
        raise ValueError(f"answer {answer} is off a {points}-point scale")
    return points + 1 - answer if reverse else answer


def summarise_counts(counts: Mapping[int, int]) -> Summary:
    """Mean and population standard deviation of values given as {value: how many}."""
    total = sum(counts.values())
    if total == 0:
        return Summary(count=0, mean=None, stdev=None)
    mean = sum(value * n for value, n in counts.items()) / total
    variance = sum(n * (value - mean) ** 2 for value, n in counts.items()) / total
    return Summary(count=total, mean=mean, stdev=math.sqrt(variance))


def participation_rate(responses: int, invited: int) -> int:
    """Responses as a whole percentage of the people invited; 0 when nobody was."""
    return round(100 * responses / invited) if invited else 0


def index(mean: float, points: int) -> float:
    """Map a mean on a 1..points scale to 0..100."""
    return (mean - 1) / (points - 1) * 100


def level(index_value: float, thresholds: Sequence[float] = DEFAULT_LEVEL_THRESHOLDS) -> int:
    """Level 1..5 from an index: a value on a band's edge belongs to the higher level."""
    return 1 + sum(1 for bound in thresholds if index_value >= bound)


def score(
    summary: Summary, points: int, thresholds: Sequence[float] = DEFAULT_LEVEL_THRESHOLDS
) -> Score | None:
    """A full score from a summary, or None when nothing was answered on the scale."""
    if summary.mean is None or summary.stdev is None:
        return None
    idx = index(summary.mean, points)
    return Score(
        mean=summary.mean, index=idx, level=level(idx, thresholds), stdev=summary.stdev, count=summary.count
    )


def weighted_mean(scores_and_weights: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of the scores present; dimensions without a score are left out, not zeroed."""
    pairs = [(s, w) for s, w in scores_and_weights if s is not None and w > 0]
    total_weight = sum(w for _, w in pairs)
    if not pairs or total_weight == 0:
        return None
    return sum(s * w for s, w in pairs) / total_weight


def delta(current: float | None, previous: float | None) -> float | None:
    """The change from the previous round's value; None when either is missing (hidden, absent)."""
    return None if current is None or previous is None else current - previous


def deltas(
    current: Mapping[str, float | None], previous: Mapping[str, float | None]
) -> dict[str, float | None]:
    """Change per dimension key against the previous round; None where there is nothing to compare."""
    return {key: delta(value, previous.get(key)) for key, value in current.items()}


def westrum_band(index_value: float) -> str:
    """pathological / bureaucratic / generative for the index of the Westrum questions."""
    band = WESTRUM_BANDS[0][1]
    for bound, name in WESTRUM_BANDS:
        if index_value >= bound:
            band = name
    return band


@dataclass(frozen=True)
class TeamResult:
    """A team's result in one round, as group and org aggregates consume it."""

    team: str
    responses: int
    index: float | None


def passing(results: Iterable[TeamResult], k: int) -> list[TeamResult]:
    """Only team–rounds with at least k responses and a score: hidden teams never enter aggregates."""
    return [r for r in results if r.responses >= k and r.index is not None]


def group_index(results: Iterable[TeamResult], k: int) -> float | None:
    """Mean of the team indexes that pass k, each team weighing the same."""
    kept = [r.index for r in passing(results, k)]
    return sum(kept) / len(kept) if kept else None


def group_median(results: Iterable[TeamResult], k: int) -> float | None:
    kept = [r.index for r in passing(results, k)]
    return median(kept) if kept else None


def level_distribution(
    results: Iterable[TeamResult], k: int, thresholds: Sequence[float] = DEFAULT_LEVEL_THRESHOLDS
) -> dict[int, int]:
    """How many passing teams sit at each level 1..5."""
    distribution = dict.fromkeys(range(1, 6), 0)
    for result in passing(results, k):
        distribution[level(result.index, thresholds)] += 1
    return distribution


# --- One team in one round, from its tallies --------------------------------------------------


@dataclass
class Tally:
    """One question's answers in one team–round: how many gave each point, don't know and N/A."""

    counts: dict[int, int] = field(default_factory=dict)
    dont_know: int = 0
    not_applicable: int = 0

    def add(
        self, value: int | None, n: int = 1, *, dont_know: bool = False, not_applicable: bool = False
    ) -> None:
        if dont_know:
            self.dont_know += n
        elif not_applicable:
            self.not_applicable += n
        elif value is not None:
            self.counts[value] = self.counts.get(value, 0) + n

    @property
    def answered(self) -> int:
        """How many answered it on the scale."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    dimension_id: int
    reverse: bool


@dataclass(frozen=True)
class DimensionInfo:
    id: int
    weight: float


@dataclass(frozen=True)
class Gates:
    """The round's anonymity thresholds and scale (SPEC §3.3)."""

    k: int
    k_detail: int
    points: int
    thresholds: Sequence[float] = DEFAULT_LEVEL_THRESHOLDS


@dataclass(frozen=True)
class QuestionResult:
    question_id: int
    counts: list[int]  # answers per point 1..points, as given
    dont_know: int
    not_applicable: int
    answered: int
    mean: float | None  # of the values used


@dataclass(frozen=True)
class DimensionResult:
    dimension_id: int
    score: Score
    agreement: float | None
    responses: int
    dont_know: int
    not_applicable: int


@dataclass(frozen=True)
class TeamRoundResult:
    """What a team–round publishes: its dimensions, its question details and its overall score.
    Without any dimension past its gate, nothing: the team–round is hidden."""

    dimensions: list[DimensionResult]
    questions: list[QuestionResult]
    mean: float | None
    index: float | None
    level: int | None

    @property
    def published(self) -> bool:
        return self.mean is not None


def team_round(
    *,
    tallies: Mapping[int, Tally],
    questions: Sequence[QuestionInfo],
    dimensions: Sequence[DimensionInfo],
    dimension_responses: Mapping[int, int],
    detailed: bool,
    gates: Gates,
) -> TeamRoundResult:
    """Score one team–round that passed k (SPEC §3.3, §3.4).

    ``tallies`` by question id; ``dimension_responses``: per dimension, how many responses gave
    at least one answer on the scale; ``detailed``: the team–round reached k_detail responses.
    A dimension answered on the scale by fewer than k people is left out (the score would be
    those few people's answers, and the overall score would carry it); a question's distribution
    needs k_detail people who answered it on the scale.
    """
    points = gates.points
    used_by_dimension: dict[int, dict[int, int]] = {}
    given_by_dimension: dict[int, list[dict[int, int]]] = {}
    dont_know: dict[int, int] = {}
    not_applicable: dict[int, int] = {}
    question_results = []
    for question in questions:
        tally = tallies.get(question.id)
        if tally is None:
            continue
        used = {value_used(v, points, question.reverse): n for v, n in tally.counts.items()}
        bucket = used_by_dimension.setdefault(question.dimension_id, {})
        for value, n in used.items():
            bucket[value] = bucket.get(value, 0) + n
        # rwg(j) reads each question's variance as given (reversing changes none).
        given_by_dimension.setdefault(question.dimension_id, []).append(tally.counts)
        dont_know[question.dimension_id] = dont_know.get(question.dimension_id, 0) + tally.dont_know
        not_applicable[question.dimension_id] = (
            not_applicable.get(question.dimension_id, 0) + tally.not_applicable
        )
        if detailed and tally.answered >= gates.k_detail:
            question_results.append(
                QuestionResult(
                    question_id=question.id,
                    counts=[tally.counts.get(point, 0) for point in range(1, points + 1)],
                    dont_know=tally.dont_know,
                    not_applicable=tally.not_applicable,
                    answered=tally.answered,
                    mean=summarise_counts(used).mean,
                )
            )
    dimension_results, weighted = [], []
    for dimension in dimensions:
        result = score(summarise_counts(used_by_dimension.get(dimension.id, {})), points, gates.thresholds)
        responses = dimension_responses.get(dimension.id, 0)
        if result is None or responses < gates.k:
            continue
        weighted.append((result.mean, dimension.weight))
        dimension_results.append(
            DimensionResult(
                dimension_id=dimension.id,
                score=result,
                agreement=agreement.rwg_j_from_counts(given_by_dimension.get(dimension.id, []), points),
                responses=responses,
                dont_know=dont_know.get(dimension.id, 0),
                not_applicable=not_applicable.get(dimension.id, 0),
            )
        )
    overall = weighted_mean(weighted)
    if overall is None:
        return TeamRoundResult(dimensions=[], questions=[], mean=None, index=None, level=None)
    overall_index = index(overall, points)
    return TeamRoundResult(
        dimensions=dimension_results,
        questions=question_results,
        mean=overall,
        index=overall_index,
        level=level(overall_index, gates.thresholds),
    )
