"""What the lifecycle test (test_lifecycle.py) believes: each person's last submitted answers, and
the aggregates and gates they imply. Pure: no ORM, so the oracle cannot share a bug with the product.

SPEC §3.4: value used = answer, or (points + 1) − answer when reverse-scored; "dk" and "na" are
counted and left out of every mean. SPEC §3.3: a dimension score needs k people who answered that
dimension on the scale, a question's distribution and mean k_detail people who answered that
question on the scale, comments k_detail responses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

SPECIAL = ("dk", "na")


@dataclass(frozen=True)
class QuestionInfo:
    pk: int
    key: str
    dimension_id: int
    reverse: bool


@dataclass(frozen=True)
class Submission:
    """One person's last submitted set: question id → "1".."points", "dk" or "na"; dimension id → text."""

    answers: Mapping[int, str]
    comments: Mapping[int, str]


@dataclass
class DimensionTruth:
    people: int = 0  # answered at least one of its questions on the scale
    values: list[int] = field(default_factory=list)  # values used, one per answer on the scale
    dont_know: int = 0
    not_applicable: int = 0

    @property
    def mean(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None


@dataclass
class QuestionTruth:
    counts: list[int]  # counts[i]: answered point i + 1, as given
    values: list[int] = field(default_factory=list)
    dont_know: int = 0
    not_applicable: int = 0

    @property
    def people(self) -> int:
        """Each person answers a question once: people on the scale = answers on the scale."""
        return len(self.values)

    @property
    def mean(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None


@dataclass
class TeamTruth:
    responses: int
    dimensions: dict[int, DimensionTruth]
    questions: dict[int, QuestionTruth]
    comments: Counter[tuple[int, str]]

    def scored_dimensions(self, k: int) -> set[int]:
        """Dimensions whose score may be published: k people answered them on the scale."""
        if self.responses < k:
            return set()
        return {pk for pk, truth in self.dimensions.items() if truth.people >= k}

    def detailed_questions(self, k_detail: int) -> set[int]:
        """Questions whose distribution, mean, strength or weakness may be published."""
        return {pk for pk, truth in self.questions.items() if truth.people >= k_detail}


def value_used(answer: int, points: int, reverse: bool) -> int:
    return points + 1 - answer if reverse else answer


def team_truth(
    submissions: Iterable[Submission], questions: Iterable[QuestionInfo], points: int
) -> TeamTruth:
    questions = list(questions)
    submissions = list(submissions)
    dimensions = {q.dimension_id: DimensionTruth() for q in questions}
    per_question = {q.pk: QuestionTruth(counts=[0] * points) for q in questions}
    comments: Counter[tuple[int, str]] = Counter()
    for submission in submissions:
        on_scale: set[int] = set()
        for question in questions:
            token = submission.answers[question.pk]
            dimension, truth = dimensions[question.dimension_id], per_question[question.pk]
            if token == "dk":
                dimension.dont_know += 1
                truth.dont_know += 1
            elif token == "na":
                dimension.not_applicable += 1
                truth.not_applicable += 1
            else:
                answer = int(token)
                used = value_used(answer, points, question.reverse)
                truth.counts[answer - 1] += 1
                truth.values.append(used)
                dimension.values.append(used)
                on_scale.add(question.dimension_id)
        for dimension_id in on_scale:
            dimensions[dimension_id].people += 1
        comments.update(submission.comments.items())
    return TeamTruth(
        responses=len(submissions), dimensions=dimensions, questions=per_question, comments=comments
    )


def weighted_mean(means_and_weights: Iterable[tuple[float, float]]) -> float | None:
    pairs = list(means_and_weights)
    total = sum(weight for _, weight in pairs)
    return sum(mean * weight for mean, weight in pairs) / total if pairs and total else None
