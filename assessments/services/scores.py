"""Stored aggregates of a closed round: read the answers' tallies from the database, score each
team–round with the pure ``scoring.team_round``, store what it publishes. Also reliability
(Cronbach's alpha) across the round, the comments in an order that does not follow submission,
and the team's target levels."""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from assessments import reliability, scoring
from assessments.models import (
    Answer,
    Comment,
    Dimension,
    DimensionComment,
    DimensionReliability,
    DimensionScore,
    Question,
    QuestionDistribution,
    QuestionReliability,
    Response,
    Round,
    TargetLevel,
    TeamScore,
)
from assessments.services.responses import DONT_KNOW, NOT_APPLICABLE
from bulk_rows import bulk_insert
from teams.models import Membership, Team

# The columns of the stored rows, in the order scores_store builds them.
DIMENSION_SCORE_FIELDS = [
    "round",
    "team",
    "dimension",
    "dimension_key",
    "mean",
    "index",
    "stdev",
    "agreement",
    "level",
    "responses",
    "answers",
    "dont_know",
    "not_applicable",
]
QUESTION_DISTRIBUTION_FIELDS = [
    "round",
    "team",
    "question",
    "question_key",
    "counts",
    "dont_know",
    "not_applicable",
    "answered",
    "mean",
]
# At most this many responses of a round enter its reliability figures (see _store_reliability).
RELIABILITY_SAMPLE = 5_000


class AnswersPurged(Exception):
    """The round's raw answers are gone (retention); its stored scores cannot be recomputed."""


@transaction.atomic
def scores_store(*, round: Round, meanwhile: Callable[[], object] | None = None) -> None:
    """(Re)compute and store every aggregate of a closed round in bulk, from the raw answers.

    Two grouped queries read the tallies; ``scoring.team_round`` scores each team past k;
    what it publishes is stored. Stamps ``scored_at`` when the round had scores before, so that
    caches keyed on it drop them.

    ``meanwhile``, when given, runs (in this thread and transaction) after the tallies are read
    and while the teams are scored: round_close anonymises the answers then, which changes no
    tally. Comments and reliability are read after it.
    """
    if round.answers_purged_at is not None:
        raise AnswersPurged(
            f"The answers of round {round.pk} were purged; its stored scores are kept as they are."
        )
    model = round.model
    gates = scoring.Gates(
        k=round.k, k_detail=round.k_detail, points=model.scale_points, thresholds=model.level_thresholds
    )
    questions = {q.pk: q for q in Question.objects.filter(dimension__model=model).select_related("dimension")}
    dimensions = {d.pk: d for d in Dimension.objects.filter(model=model)}
    question_info = [scoring.QuestionInfo(q.pk, q.dimension_id, q.reverse) for q in questions.values()]
    dimension_info = [scoring.DimensionInfo(d.pk, float(d.weight)) for d in dimensions.values()]
    team_ids = list(round.teams.values_list("pk", flat=True))

    for model_class in (
        TeamScore,
        DimensionScore,
        QuestionDistribution,
        DimensionComment,
        DimensionReliability,
    ):
        model_class.objects.filter(round=round).delete()

    responses_by_team = dict(
        Response.objects.submitted()
        .filter(round=round)
        .values("team")
        .annotate(n=Count("id"))
        .values_list("team", "n")
    )
    invited = Membership.objects.count_by_team(team_ids)
    scored_teams = {t for t in team_ids if responses_by_team.get(t, 0) >= round.k}
    submitted = Answer.objects.filter(
        response__round=round, response__status=Response.Status.SUBMITTED, response__team_id__in=scored_teams
    )
    tallies: dict[int, dict[int, scoring.Tally]] = defaultdict(lambda: defaultdict(scoring.Tally))
    for team_id, question_id, value, special, n in (
        submitted.values_list("response__team_id", "question_id", "value", "special")
        .annotate(n=Count("id"))
        .order_by()
    ):
        tallies[team_id][question_id].add(
            value, n, dont_know=special == DONT_KNOW, not_applicable=special == NOT_APPLICABLE
        )
    # Per team and dimension, how many responses gave at least one answer on the scale.
    dimension_responses: dict[int, dict[int, int]] = defaultdict(dict)
    for team_id, dimension_id, n in (
        submitted.filter(value__isnull=False)
        .values_list("response__team_id", "question__dimension_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    ):
        dimension_responses[team_id][dimension_id] = n

    def scored() -> tuple[list[TeamScore], list[tuple], list[tuple], set[int]]:
        """Each team scored from its tallies (pure computation: no database)."""
        team_scores, dimension_scores, distributions = [], [], []
        published = set()
        for team_id in team_ids:
            counts = {"responses": responses_by_team.get(team_id, 0), "invited": invited.get(team_id, 0)}
            result = (
                scoring.team_round(
                    tallies=tallies[team_id],
                    questions=question_info,
                    dimensions=dimension_info,
                    dimension_responses=dimension_responses[team_id],
                    detailed=counts["responses"] >= round.k_detail,
                    gates=gates,
                )
                if team_id in scored_teams
                else None
            )
            if result is None or not result.published:
                # Below k, or every dimension below its gate: its counts and nothing else.
                team_scores.append(TeamScore(round_id=round.pk, team_id=team_id, hidden=True, **counts))
                continue
            published.add(team_id)
            team_scores.append(
                TeamScore(
                    round_id=round.pk,
                    team_id=team_id,
                    hidden=False,
                    mean=result.mean,
                    index=result.index,
                    level=result.level,
                    **counts,
                )
            )
            # A round of 4,000 teams stores some 150,000 rows: tuples, not model instances.
            dimension_scores += [
                (
                    round.pk,
                    team_id,
                    row.dimension_id,
                    dimensions[row.dimension_id].key,
                    row.score.mean,
                    row.score.index,
                    row.score.stdev,
                    row.agreement,
                    row.score.level,
                    row.responses,
                    row.score.count,
                    row.dont_know,
                    row.not_applicable,
                )
                for row in result.dimensions
            ]
            distributions += [
                (
                    round.pk,
                    team_id,
                    row.question_id,
                    questions[row.question_id].key,
                    row.counts,
                    row.dont_know,
                    row.not_applicable,
                    row.answered,
                    row.mean,
                )
                for row in result.questions
            ]
        return team_scores, dimension_scores, distributions, published

    if meanwhile is None:
        team_scores, dimension_scores, distributions, published = scored()
    else:
        # The teams are scored in a thread while ``meanwhile`` has the database work (its
        # driver lets go of the interpreter while it waits): a second core at work.
        with ThreadPoolExecutor(max_workers=1) as pool:
            scoring_teams = pool.submit(scored)
            meanwhile()
            team_scores, dimension_scores, distributions, published = scoring_teams.result()

    TeamScore.objects.bulk_create(team_scores, batch_size=1000)
    bulk_insert(DimensionScore, DIMENSION_SCORE_FIELDS, dimension_scores)
    bulk_insert(QuestionDistribution, QUESTION_DISTRIBUTION_FIELDS, distributions)
    detailed = {t for t in published if responses_by_team.get(t, 0) >= round.k_detail}
    _store_comments(round=round, team_ids=detailed)
    _store_reliability(round=round, team_ids=published, questions=questions, dimensions=dimensions)
    # A rebuild stamps the round anew: caches of org aggregates are keyed on these stamps
    # (results.scores_version). A first close has no stamp yet; round_close sets it next.
    Round.objects.filter(pk=round.pk, scored_at__isnull=False).update(scored_at=timezone.now())


def _store_reliability(
    *,
    round: Round,
    team_ids: set[int],
    questions: Mapping[int, Question],
    dimensions: Mapping[int, Dimension],
) -> None:
    """Cronbach's alpha and item-rest correlations per dimension, across the published teams.

    Only responses that answered every question of the dimension on the scale enter (values
    used, so reverse-scored questions point the same way); below k of them nothing is stored.
    The rows are summed into a covariance matrix here and dropped: only the aggregates stay.

    A large round enters through a random sample of RELIABILITY_SAMPLE responses: those with
    the smallest keys, which are random since the close gave every response a fresh one. Alpha
    from 5,000 responses is within about 0.01 of alpha from all of them, and the stored count
    says how many entered.
    """
    points = round.model.scale_points
    by_dimension: dict[int, list[int]] = defaultdict(list)
    for question_id, question in sorted(questions.items(), key=lambda item: (item[1].order, item[0])):
        by_dimension[question.dimension_id].append(question_id)
    # dimension → response → question → value used
    rows: dict[int, dict[object, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    sample = (
        Response.objects.submitted()
        .filter(round=round, team_id__in=team_ids)
        .order_by("pk")
        .values("pk")[:RELIABILITY_SAMPLE]
    )
    answers = (
        Answer.objects.filter(response_id__in=sample, value__isnull=False)
        .values_list("response_id", "question_id", "value")
        .order_by()
    )
    for response_id, question_id, value in answers.iterator(chunk_size=5000):
        question = questions[question_id]
        rows[question.dimension_id][response_id][question_id] = scoring.value_used(
            value, points, question.reverse
        )
    for dimension_id, question_ids in by_dimension.items():
        complete = [
            [values[q] for q in question_ids]
            for values in rows[dimension_id].values()
            if len(values) == len(question_ids)
        ]
        if len(question_ids) < 2 or len(complete) < max(round.k, 3):
            continue
        result = reliability.reliability(complete)
        stored = DimensionReliability.objects.create(
            round=round,
            dimension=dimensions[dimension_id],
            dimension_key=dimensions[dimension_id].key,
            responses=result.responses,
            alpha=result.alpha,
        )
        QuestionReliability.objects.bulk_create(
            QuestionReliability(
                dimension_reliability=stored,
                question_id=question_id,
                question_key=questions[question_id].key,
                item_rest=item.item_rest,
                alpha_if_deleted=item.alpha_if_deleted,
                pulls_down=reliability.pulls_down(item, result.alpha),
            )
            for question_id, item in zip(question_ids, result.items, strict=True)
        )


def _store_comments(*, round: Round, team_ids: set[int]) -> None:
    """Copy comments out of their responses, ordered by a keyed hash of their text, not by submission."""
    comments = Comment.objects.filter(
        response__round=round, response__status=Response.Status.SUBMITTED, response__team_id__in=team_ids
    ).values_list("response__team_id", "dimension_id", "text")
    secret = settings.RESPONDENT_KEY_SECRET.encode()

    def shuffle_key(row: tuple[int, int, str]) -> tuple[int, int, str]:
        team_id, dimension_id, text = row
        digest = hmac.new(secret, f"{round.pk}:{dimension_id}:{text}".encode(), hashlib.sha256).hexdigest()
        return team_id, dimension_id, digest

    rows = sorted(comments, key=shuffle_key)
    DimensionComment.objects.bulk_create(
        (
            DimensionComment(
                round=round, team_id=team_id, dimension_id=dimension_id, position=position, text=text
            )
            for position, (team_id, dimension_id, text) in enumerate(rows)
        ),
        batch_size=1000,
    )


@transaction.atomic
def targets_set(*, team: Team, levels: Mapping[str, int | None]) -> None:
    """Set (or clear, with None) the team's target level per dimension key."""
    for key, level in levels.items():
        if level is None:
            TargetLevel.objects.filter(team=team, dimension_key=key).delete()
        else:
            TargetLevel.objects.update_or_create(team=team, dimension_key=key, defaults={"level": level})
