"""Is the instrument any good? Internal consistency of a dimension, pure and typed: no ORM.

For the J questions of a dimension, over the responses that answered all of them on the scale
(values used, so reverse-scored questions point the same way as the others):

- Cronbach's alpha (1951): J / (J − 1) · (1 − Σ s²ᵢ / s²_total), from the covariance matrix;
- alpha if a question were deleted: the same over the other J − 1 questions;
- item-rest correlation: Pearson's r between a question and the sum of the others.

A question whose item-rest correlation is below ``WEAK_ITEM_REST`` or whose removal would raise
alpha pulls its dimension down: it may measure something else, or read ambiguously.
Everything is computed from the covariance matrix, so nothing here keeps a row per person.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Conventional floor for a question that belongs to its scale (Nunnally & Bernstein 1994).
WEAK_ITEM_REST = 0.30
# Alpha below this reads as "questionable" (George & Mallery's rule of thumb).
ACCEPTABLE_ALPHA = 0.70

Matrix = Sequence[Sequence[float]]


@dataclass(frozen=True)
class ItemReliability:
    item_rest: float | None
    alpha_if_deleted: float | None


@dataclass(frozen=True)
class DimensionReliability:
    responses: int
    alpha: float | None
    items: tuple[ItemReliability, ...]


def covariance(rows: Matrix) -> list[list[float]]:
    """Sample (n − 1) covariance matrix of the columns of ``rows`` (one row per response)."""
    n = len(rows)
    if n < 2:
        raise ValueError("a covariance needs at least two rows")
    j = len(rows[0])
    means = [sum(row[i] for row in rows) / n for i in range(j)]
    centred = [[row[i] - means[i] for i in range(j)] for row in rows]
    return [[sum(row[a] * row[b] for row in centred) / (n - 1) for b in range(j)] for a in range(j)]


def alpha_from_covariance(cov: Matrix) -> float | None:
    """Cronbach's alpha of the items of a covariance matrix; None below two items or without variance."""
    j = len(cov)
    total = sum(sum(row) for row in cov)
    if j < 2 or total <= 0:
        return None
    return j / (j - 1) * (1 - sum(cov[i][i] for i in range(j)) / total)


def _without(cov: Matrix, item: int) -> list[list[float]]:
    keep = [i for i in range(len(cov)) if i != item]
    return [[cov[a][b] for b in keep] for a in keep]


def item_rest(cov: Matrix, item: int) -> float | None:
    """Pearson's r between one item and the sum of the others; None when either does not vary."""
    others = [i for i in range(len(cov)) if i != item]
    rest_variance = sum(cov[a][b] for a in others for b in others)
    variance = cov[item][item]
    if not others or rest_variance <= 0 or variance <= 0:
        return None
    return sum(cov[item][b] for b in others) / math.sqrt(variance * rest_variance)


def reliability_from_covariance(cov: Matrix, responses: int) -> DimensionReliability:
    items = tuple(
        ItemReliability(
            item_rest=item_rest(cov, i),
            alpha_if_deleted=alpha_from_covariance(_without(cov, i)) if len(cov) > 2 else None,
        )
        for i in range(len(cov))
    )
    return DimensionReliability(responses=responses, alpha=alpha_from_covariance(cov), items=items)


def reliability(rows: Matrix) -> DimensionReliability:
    """Alpha, alpha if deleted and item-rest correlations of complete responses (rows × items)."""
    return reliability_from_covariance(covariance(rows), responses=len(rows))


def pulls_down(item: ItemReliability, alpha: float | None) -> bool:
    """Whether a question weakens its dimension: it hardly moves with the rest, or alpha rises without it."""
    weak_link = item.item_rest is not None and item.item_rest < WEAK_ITEM_REST
    better_without = (
        alpha is not None and item.alpha_if_deleted is not None and item.alpha_if_deleted > alpha + 0.005
    )
    return weak_link or better_without
