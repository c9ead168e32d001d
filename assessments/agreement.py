"""Within-team agreement, pure and typed: no ORM (only its words go through gettext). SPEC §3.4.

rwg(j) (James, Demaree & Wolf 1984) compares the variance a team shows on the J questions of a
dimension with the variance it would show if everyone answered at random, each point of the
A-point scale equally likely (the uniform null, σ²_EU = (A² − 1) / 12):

    rwg(j) = J (1 − s̄² / σ²_EU) / (J (1 − s̄² / σ²_EU) + s̄² / σ²_EU)

where s̄² is the mean of the questions' observed (sample, n − 1) variances. A team that answers
more apart than random gets s̄² ≥ σ²_EU; the value is then set to 0 (LeBreton & Senter 2008,
"truncate to zero"), so the result always lies between 0 and 1.

Bands follow LeBreton & Senter (2008, table 3): up to .50 weak, .51–.70 moderate, .71–.90
strong, above .90 very strong. Only weak agreement asks the team to talk about it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

WEAK_UP_TO = 0.50
MODERATE_UP_TO = 0.70
STRONG_UP_TO = 0.90


def null_variance(points: int) -> float:
    """σ²_EU: the variance of answers spread evenly over an A-point scale, (A² − 1) / 12."""
    if points < 2:
        raise ValueError(f"a scale needs at least 2 points, not {points}")
    return (points * points - 1) / 12


def sample_variance(counts: Mapping[int, int]) -> float | None:
    """Sample (n − 1) variance of values given as {value: how many}; None below two answers."""
    n = sum(counts.values())
    if n < 2:
        return None
    mean = sum(value * count for value, count in counts.items()) / n
    return sum(count * (value - mean) ** 2 for value, count in counts.items()) / (n - 1)


def rwg(variance: float, points: int) -> float:
    """Single-question agreement, 1 − s² / σ²_EU, truncated to 0 when answers are wider than random."""
    return max(0.0, 1 - variance / null_variance(points))


def rwg_j(variances: Sequence[float], points: int) -> float | None:
    """Agreement over J questions of one dimension; None without any question's variance."""
    if not variances:
        return None
    ratio = (sum(variances) / len(variances)) / null_variance(points)
    if ratio >= 1:
        return 0.0
    j = len(variances)
    return j * (1 - ratio) / (j * (1 - ratio) + ratio)


def rwg_j_from_counts(questions: Sequence[Mapping[int, int]], points: int) -> float | None:
    """rwg(j) from each question's answers as {point: how many}; questions with fewer than two
    answers on the scale carry no variance and are left out."""
    variances = [v for v in (sample_variance(counts) for counts in questions) if v is not None]
    return rwg_j(variances, points)


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    meaning: str

    @property
    def talk_about_it(self) -> bool:
        return self.key == "weak"


WEAK = Band("weak", _("weak"), _("the team sees this differently — talk about it"))
MODERATE = Band("moderate", _("moderate"), _("views differ somewhat"))
STRONG = Band("strong", _("strong"), _("most people see it alike"))
VERY_STRONG = Band("very-strong", _("very strong"), _("nearly everyone sees it alike"))
BANDS = (WEAK, MODERATE, STRONG, VERY_STRONG)


def band(value: float) -> Band:
    """The band of an rwg(j) value, compared on two decimals as the bands are written (.50 is weak)."""
    rounded = round(value, 2)
    if rounded <= WEAK_UP_TO:
        return WEAK
    if rounded <= MODERATE_UP_TO:
        return MODERATE
    if rounded <= STRONG_UP_TO:
        return STRONG
    return VERY_STRONG
