"""Scoring, pure and typed: no ORM, no Django. SPEC §3.4.

A value used is the answer given, or ``points + 1 − answer`` for a reverse-scored question
(6 − answer on a 5-point scale, 8 − answer on the default 7-point one). "Don't know" and
"not applicable" are counted but never enter a mean.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median

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


def summarise(values: Iterable[int | None]) -> Summary:
    """Mean and population standard deviation of values used; None (don't know, n/a) left out."""
    counts: dict[int, int] = {}
    for value in values:
        if value is not None:
            counts[value] = counts.get(value, 0) + 1
    return summarise_counts(counts)


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


def deltas(current: Mapping[str, float], previous: Mapping[str, float]) -> dict[str, float | None]:
    """Change per dimension key against the previous round; None where there is nothing to compare."""
    return {key: (value - previous[key]) if key in previous else None for key, value in current.items()}


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
