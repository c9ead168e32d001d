"""Writes of the assessments app: each one transaction, keyword-only arguments."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from assessments import agreement, reliability, scoring
from assessments.model_file import DimensionSpec, ModelSpec, QuestionSpec, parse_model
from assessments.models import (
    Answer,
    Comment,
    Dimension,
    DimensionComment,
    DimensionReliability,
    DimensionScore,
    MaturityModel,
    Participation,
    Question,
    QuestionDistribution,
    QuestionReliability,
    ReminderDelivery,
    Response,
    Round,
    TargetLevel,
    TeamScore,
)
from audit.models import AuditEvent
from audit.trail import record
from teams.models import Membership, Team

DONT_KNOW = Answer.Special.DONT_KNOW.value
NOT_APPLICABLE = Answer.Special.NOT_APPLICABLE.value


class RoundNotOpen(Exception):
    """Answers can be saved only while a round is open."""


class IncompleteSubmit(ValueError):
    """A submit must answer every question of the model (the survey form checks this first)."""


def respondent_key(*, user_id: int, round_id: int, team_id: int) -> str:
    """HMAC of (user, round, team) with the server secret: finds one's own response, names no one."""
    message = f"{user_id}:{round_id}:{team_id}".encode()
    return hmac.new(settings.RESPONDENT_KEY_SECRET.encode(), message, hashlib.sha256).hexdigest()


# --- Maturity models -------------------------------------------------------------------------


@transaction.atomic
def model_import(*, spec: ModelSpec, by=None) -> MaturityModel:
    """Create a maturity model from a parsed file, as the next version of its name."""
    model = _model_create(spec)
    record(AuditEvent.Action.MODEL_IMPORTED, model, actor=by, version=model.version)
    return model


# A question's texts are named differently in the file and in the database.
QUESTION_FILE_TO_FIELD = {
    "text": "text",
    "help": "help_text",
    "result_label": "result_label",
    "note": "scoring_note",
}
QUESTION_FIELD_TO_FILE = {field: key for key, field in QUESTION_FILE_TO_FIELD.items()}


def _renamed(translations: dict, names: dict[str, str]) -> dict:
    return {
        language: {names.get(key, key): text for key, text in entry.items()}
        for language, entry in translations.items()
    }


def _model_create(spec: ModelSpec) -> MaturityModel:
    latest = (
        MaturityModel.objects.filter(name=spec.name).order_by("-version").values_list("version", flat=True)
    )
    version = (latest.first() + 1) if latest.exists() else spec.version
    model = MaturityModel.objects.create(
        name=spec.name,
        version=version,
        description=spec.description,
        published=False,
        scale_points=spec.points,
        scale_labels=list(spec.labels),
        levels=[dict(level) for level in spec.levels],
        language=spec.language,
        translations=spec.translations,
    )
    for order, dimension_spec in enumerate(spec.dimensions, start=1):
        dimension = Dimension.objects.create(
            model=model,
            key=dimension_spec.key,
            name=dimension_spec.name,
            description=dimension_spec.description,
            prompt=dimension_spec.prompt,
            order=order,
            weight=round(dimension_spec.weight, 2),
            translations=dimension_spec.translations,
        )
        Question.objects.bulk_create(
            Question(
                dimension=dimension,
                key=question.key,
                text=question.text,
                help_text=question.help,
                result_label=question.result_label,
                scoring_note=question.note,
                order=position,
                reverse=question.reverse,
                translations=_renamed(question.translations, QUESTION_FILE_TO_FIELD),
            )
            for position, question in enumerate(dimension_spec.questions, start=1)
        )
    return model


SHIPPED_MODELS = Path(__file__).resolve().parent / "shipped"
# The full survey for quarterly rounds, and the short pulse for the months between (same keys).
DEFAULT_MODEL_FILE = SHIPPED_MODELS / "devops-maturity-v2.json"
PULSE_MODEL_FILE = SHIPPED_MODELS / "devops-pulse-v1.json"


@transaction.atomic
def shipped_model_ensure(path: Path = DEFAULT_MODEL_FILE) -> MaturityModel:
    """A model shipped with Gemba (data migrations create them), re-created and published from its
    file in assessments/shipped/ if it was deleted."""
    spec = parse_model(json.loads(path.read_text(encoding="utf-8")))
    model = MaturityModel.objects.filter(name=spec.name, version=spec.version).first()
    if model is None:
        model = _model_create(spec)
        MaturityModel.objects.filter(pk=model.pk).update(published=True)
        model.published = True
    return model


def _filled(stored: dict, shipped: dict) -> dict:
    """``stored`` with every text it lacks taken from ``shipped``: an admin's own wording stays."""
    merged = {language: dict(entry) for language, entry in (stored or {}).items()}
    for language, entry in shipped.items():
        target = merged.setdefault(language, {})
        for key, text in entry.items():
            target.setdefault(key, text)
    return merged


@transaction.atomic
def shipped_translations_sync() -> int:
    """Give the shipped models in this database the translations of their files (run after each
    migrate): texts missing here are added, none is changed. How many objects changed."""
    changed = 0
    for path in sorted(SHIPPED_MODELS.glob("*.json")):
        spec = parse_model(json.loads(path.read_text(encoding="utf-8")))
        model = MaturityModel.objects.filter(name=spec.name, version=spec.version).first()
        if model is None:
            continue
        updates: list = []
        merged = _filled(model.translations, spec.translations)
        if merged != model.translations:
            model.translations = merged
            updates.append(model)
        dimensions = {d.key: d for d in model.dimensions.prefetch_related("questions")}
        for dimension_spec in spec.dimensions:
            dimension = dimensions.get(dimension_spec.key)
            if dimension is None:
                continue
            merged = _filled(dimension.translations, dimension_spec.translations)
            if merged != dimension.translations:
                dimension.translations = merged
                updates.append(dimension)
            questions = {q.key: q for q in dimension.questions.all()}
            for question_spec in dimension_spec.questions:
                question = questions.get(question_spec.key)
                if question is None:
                    continue
                shipped = _renamed(question_spec.translations, QUESTION_FILE_TO_FIELD)
                merged = _filled(question.translations, shipped)
                if merged != question.translations:
                    question.translations = merged
                    updates.append(question)
        for kind in (MaturityModel, Dimension, Question):
            kind.objects.bulk_update([o for o in updates if isinstance(o, kind)], ["translations"])
        changed += len(updates)
    return changed


def default_model_ensure() -> MaturityModel:
    """The shipped default model: the full survey."""
    return shipped_model_ensure(DEFAULT_MODEL_FILE)


def pulse_model_ensure() -> MaturityModel:
    """The shipped pulse: ten of the full model's questions, for monthly rounds."""
    return shipped_model_ensure(PULSE_MODEL_FILE)


def model_export(*, model: MaturityModel) -> ModelSpec:
    """A model as its file format."""
    dimensions = model.dimensions.prefetch_related("questions").order_by("order", "key")
    return ModelSpec(
        name=model.name,
        version=model.version,
        description=model.description,
        points=model.scale_points,
        labels=list(model.scale_labels),
        levels=[dict(level) for level in model.levels],
        language=model.language,
        translations=model.translations,
        dimensions=[
            DimensionSpec(
                key=dimension.key,
                name=dimension.name,
                description=dimension.description,
                prompt=dimension.prompt,
                weight=float(dimension.weight),
                translations=dimension.translations,
                questions=[
                    QuestionSpec(
                        key=q.key,
                        text=q.text,
                        help=q.help_text,
                        result_label=q.result_label,
                        note=q.scoring_note,
                        reverse=q.reverse,
                        translations=_renamed(q.translations, QUESTION_FIELD_TO_FILE),
                    )
                    for q in dimension.questions.all()
                ],
            )
            for dimension in dimensions
        ],
    )


@transaction.atomic
def model_copy_as_new_version(*, model: MaturityModel, by=None) -> MaturityModel:
    """An editable, unpublished copy of a (frozen) model, numbered as the next version."""
    copy = _model_create(model_export(model=model))
    record(AuditEvent.Action.MODEL_COPIED, copy, actor=by, copied_from=model.pk)
    return copy


@transaction.atomic
def round_create(*, form, by) -> Round:
    """Save a validated RoundForm as a new round created by ``by``."""
    round_ = form.save(commit=False)
    round_.created_by = by
    round_.save()
    form.save_m2m()
    record(
        AuditEvent.Action.ROUND_CREATED, round_, actor=by, teams=sorted(t.slug for t in round_.teams.all())
    )
    return round_


# --- Answering -------------------------------------------------------------------------------


def response_for(*, round: Round, team: Team, user) -> Response | None:
    """The user's own response in this round for this team, found through the keyed hash."""
    key = respondent_key(user_id=user.pk, round_id=round.pk, team_id=team.pk)
    return Response.objects.filter(round=round, team=team, respondent_key=key).first()


@transaction.atomic
def response_save(
    *,
    round: Round,
    team: Team,
    user,
    answers: Mapping[int, str | None],
    comments: Mapping[int, str],
    submit: bool,
) -> Response:
    """Save the user's answers as a draft, or submit them. One response per member, team and round.

    ``answers`` maps question ids to "1".."points", "dk", "na" or None (not answered yet);
    ``comments`` maps dimension ids to text. A submit must answer every question (the form
    checks that first; IncompleteSubmit otherwise); the response then counts and the member's
    participation is recorded. A draft never replaces a submitted response: it is returned
    unchanged, still submitted.
    """
    if not _still_open(round):
        raise RoundNotOpen
    if submit:
        expected = set(
            Question.objects.filter(dimension__model_id=round.model_id).values_list("pk", flat=True)
        )
        if {question_id for question_id, token in answers.items() if token} != expected:
            raise IncompleteSubmit("A submit answers every question of the model, and only those.")
    key = respondent_key(user_id=user.pk, round_id=round.pk, team_id=team.pk)
    status = Response.Status.SUBMITTED if submit else Response.Status.DRAFT
    # Insert-if-absent, then lock: two racing submits end up on the one row, one after the other.
    candidate = Response(round=round, team=team, respondent_key=key, status=status)
    Response.objects.bulk_create([candidate], ignore_conflicts=True)
    response = Response.objects.select_for_update().get(round=round, team=team, respondent_key=key)
    created = response.pk == candidate.pk

    if not created:
        if not submit and response.status == Response.Status.SUBMITTED:
            # A submitted response changes only by a complete submit: a draft posted afterwards
            # (an old tab, a second window) keeps what was sent. The page says so.
            return response
        response.answers.all().delete()
        response.comments.all().delete()
        if submit and response.status != Response.Status.SUBMITTED:
            response.status = Response.Status.SUBMITTED
            response.save(update_fields=["status"])
    Answer.objects.bulk_create(_answer_rows(response, answers))
    new_comments = [
        Comment(response=response, dimension_id=dimension_id, text=text.strip())
        for dimension_id, text in comments.items()
        if text and text.strip()
    ]
    if new_comments:
        Comment.objects.bulk_create(new_comments)
    if submit:
        # Already recorded by an earlier (or racing) submit: the unique constraint keeps one.
        Participation.objects.bulk_create(
            [Participation(user=user, round=round, team=team)], ignore_conflicts=True
        )
    return response


def _still_open(round: Round) -> bool:
    """Whether the round takes answers, read again under a shared lock on its row.

    ``round_close`` locks the row for update: a close that came first makes this wait and then
    see the round closed (nothing is saved into stored scores); a save that came first makes
    the close wait until it is committed, so the close counts it. Saves share the lock and do
    not wait for each other. (SQLite serialises writers by itself.)
    """
    if connection.vendor != "postgresql":
        return Round.objects.only("opens_at", "closes_at", "closed_at").get(pk=round.pk).is_open
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Round._meta.db_table)
        cursor.execute(
            f"SELECT opens_at, closes_at, closed_at FROM {table} WHERE id = %s FOR SHARE", [round.pk]
        )
        opens_at, closes_at, closed_at = cursor.fetchone()
    return Round(opens_at=opens_at, closes_at=closes_at, closed_at=closed_at).is_open


def _answer_rows(response: Response, answers: Mapping[int, str | None]) -> Iterable[Answer]:
    for question_id, token in answers.items():
        if token is None or token == "":
            continue
        if token in (DONT_KNOW, NOT_APPLICABLE):
            yield Answer(response=response, question_id=question_id, value=None, special=token)
        else:
            yield Answer(response=response, question_id=question_id, value=int(token))


# --- Closing and scoring ---------------------------------------------------------------------


@transaction.atomic
def round_close(*, round: Round, now=None, by=None) -> Round:
    """Close a round (early, or once its date has passed) and store its scores. Idempotent.

    ``by`` is who closed it early (for the audit trail); None when its date passed.
    """
    now = now or timezone.now()
    locked = Round.objects.select_for_update().get(pk=round.pk)
    if locked.scored_at is not None:
        return locked
    early = locked.closed_at is None and now < locked.closes_at
    if locked.closed_at is None:
        locked.closed_at = min(now, locked.closes_at)
    # Drafts never count; once the round is closed nobody can finish them, so they go.
    Response.objects.filter(round=locked, status=Response.Status.DRAFT).delete()
    # Who was reminded names people: it served only while the round was open.
    ReminderDelivery.objects.filter(round=locked).delete()
    round_anonymise(round=locked)
    scores_store(round=locked)
    locked.scored_at = now
    # update() rather than save(): closing must not trip the frozen-settings guard.
    Round.objects.filter(pk=locked.pk).update(closed_at=locked.closed_at, scored_at=locked.scored_at)
    record(AuditEvent.Action.ROUND_CLOSED, locked, actor=by, early=early)
    return locked


@transaction.atomic
def round_anonymise(*, round: Round) -> int:
    """Cut every link between people and the answers of a closed round; returns the responses kept.

    Responses, answers and comments are deleted and written again in a random order, with fresh
    random keys and no respondent key, all in the caller's transaction: afterwards rowid and
    ctid order, xmin, id order and key order are those of one shuffle, and the HMAC of a person
    finds nothing. Participation keeps only that a person took part. Nothing can be edited after
    the close, so nothing needs the respondent keys any more.

    The shuffle is drawn in Python (``secrets``); the rows are copied in the database, through a
    temporary table from old to new response keys, so a round of 400 teams takes a few hundred
    milliseconds rather than a trip of every answer through Python.
    """
    responses = list(Response.objects.filter(round=round).values_list("pk", "team_id", "status"))
    if not responses:
        return 0
    secrets.SystemRandom().shuffle(responses)
    fresh = [uuid.uuid4() for _ in responses]
    Response.objects.bulk_create(
        (
            Response(id=new, round_id=round.pk, team_id=team_id, status=status, respondent_key=None)
            for new, (_old, team_id, status) in zip(fresh, responses, strict=True)
        ),
        batch_size=2000,
    )
    key = Response._meta.pk
    mapping = [
        (key.get_db_prep_value(old, connection), key.get_db_prep_value(new, connection), position)
        for position, (new, (old, _team, _status)) in enumerate(zip(fresh, responses, strict=True))
    ]
    qn = connection.ops.quote_name
    response_table, answer_table, comment_table = (
        qn(model._meta.db_table) for model in (Response, Answer, Comment)
    )
    key_type = key.db_type(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE gemba_anonymise (old_id {key_type}, new_id {key_type}, position integer)"
        )
        for start in range(0, len(mapping), 300):
            batch = mapping[start : start + 300]
            cursor.execute(
                "INSERT INTO gemba_anonymise (old_id, new_id, position) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(batch)),
                [value for row in batch for value in row],
            )
        # Copied in the shuffled order of their responses: ids and physical order follow it.
        cursor.execute(
            f"INSERT INTO {answer_table} (response_id, question_id, value, special) "
            f"SELECT m.new_id, a.question_id, a.value, a.special FROM {answer_table} a "
            "JOIN gemba_anonymise m ON a.response_id = m.old_id ORDER BY m.position, a.question_id"
        )
        cursor.execute(
            f"INSERT INTO {comment_table} (response_id, dimension_id, text) "
            f"SELECT m.new_id, c.dimension_id, c.text FROM {comment_table} c "
            "JOIN gemba_anonymise m ON c.response_id = m.old_id ORDER BY m.position, c.dimension_id"
        )
        for table, column in (
            (answer_table, "response_id"),
            (comment_table, "response_id"),
            (response_table, "id"),
        ):
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT old_id FROM gemba_anonymise)")
        cursor.execute("DROP TABLE gemba_anonymise")
    return len(responses)


def rounds_close_due(*, now=None) -> list[int]:
    """Close and score every round whose date has passed; returns the ids of the rounds now scored."""
    closed = []
    for due_round in Round.objects.due_for_scoring(now):
        if round_close(round=due_round, now=now).scored_at is not None:
            closed.append(due_round.pk)
    return closed


@dataclass
class _Tally:
    counts: dict[int, int]
    dont_know: int = 0
    not_applicable: int = 0


class AnswersPurged(Exception):
    """The round's raw answers are gone (retention); its stored scores cannot be recomputed."""


@transaction.atomic
def scores_store(*, round: Round) -> None:
    """(Re)compute and store every aggregate of a closed round in bulk, from the raw answers.

    Stamps ``scored_at`` when the round had scores before, so that caches keyed on it drop them.
    """
    if round.answers_purged_at is not None:
        raise AnswersPurged(
            f"The answers of round {round.pk} were purged; its stored scores are kept as they are."
        )
    model = round.model
    points, thresholds = model.scale_points, model.level_thresholds
    questions = {q.pk: q for q in Question.objects.filter(dimension__model=model).select_related("dimension")}
    dimensions = {d.pk: d for d in Dimension.objects.filter(model=model)}
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
    detailed_teams = {t for t in team_ids if responses_by_team.get(t, 0) >= round.k_detail}

    # One grouped query: how many times each (team, question) got each answer.
    tallies: dict[tuple[int, int], _Tally] = defaultdict(lambda: _Tally(counts={}))
    rows = (
        Answer.objects.filter(
            response__round=round,
            response__status=Response.Status.SUBMITTED,
            response__team_id__in=scored_teams,
        )
        .values_list("response__team_id", "question_id", "value", "special")
        .annotate(n=Count("id"))
        .order_by()
    )
    for team_id, question_id, value, special, n in rows:
        tally = tallies[(team_id, question_id)]
        if special == DONT_KNOW:
            tally.dont_know += n
        elif special == NOT_APPLICABLE:
            tally.not_applicable += n
        else:
            tally.counts[value] = tally.counts.get(value, 0) + n

    # Per dimension, how many responses gave at least one answer on the scale.
    dimension_responses = dict(
        (((team_id, dimension_id), n))
        for team_id, dimension_id, n in Answer.objects.filter(
            response__round=round,
            response__status=Response.Status.SUBMITTED,
            response__team_id__in=scored_teams,
            value__isnull=False,
        )
        .values_list("response__team_id", "question__dimension_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    )

    team_scores, dimension_scores, distributions = [], [], []
    published_teams = set(scored_teams)

    def hidden_score(team_id: int) -> TeamScore:
        """A team–round below its gate: its counts and nothing else."""
        return TeamScore(
            round=round,
            team_id=team_id,
            responses=responses_by_team.get(team_id, 0),
            invited=invited.get(team_id, 0),
            hidden=True,
        )

    for team_id in team_ids:
        responses = responses_by_team.get(team_id, 0)
        if team_id not in scored_teams:
            team_scores.append(hidden_score(team_id))
            continue
        per_dimension: dict[int, dict[int, int]] = defaultdict(dict)
        # Each question's answers as given: rwg(j) reads their variances (reversing changes none).
        question_counts: dict[int, list[dict[int, int]]] = defaultdict(list)
        dk_by_dimension: dict[int, int] = defaultdict(int)
        na_by_dimension: dict[int, int] = defaultdict(int)
        for question_id, question in questions.items():
            tally = tallies.get((team_id, question_id))
            if tally is None:
                continue
            used = {scoring.value_used(v, points, question.reverse): n for v, n in tally.counts.items()}
            bucket = per_dimension[question.dimension_id]
            question_counts[question.dimension_id].append(tally.counts)
            for value, n in used.items():
                bucket[value] = bucket.get(value, 0) + n
            dk_by_dimension[question.dimension_id] += tally.dont_know
            na_by_dimension[question.dimension_id] += tally.not_applicable
            answered = sum(tally.counts.values())
            # A question's distribution and mean need k_detail people who answered it on the scale:
            # with fewer, "don't know" from the others would leave one person's answers on show.
            if team_id in detailed_teams and answered >= round.k_detail:
                distributions.append(
                    QuestionDistribution(
                        round=round,
                        team_id=team_id,
                        question=question,
                        question_key=question.key,
                        counts=[tally.counts.get(point, 0) for point in range(1, points + 1)],
                        dont_know=tally.dont_know,
                        not_applicable=tally.not_applicable,
                        answered=answered,
                        mean=scoring.summarise_counts(used).mean,
                    )
                )
        weighted = []
        for dimension_id, dimension in dimensions.items():
            result = scoring.score(
                scoring.summarise_counts(per_dimension.get(dimension_id, {})), points, thresholds
            )
            # Answered on the scale by fewer than k people (the others: don't know, N/A), the
            # score would be those few people's answers, and the overall score would carry it.
            if result is None or dimension_responses.get((team_id, dimension_id), 0) < round.k:
                continue
            weighted.append((result.mean, float(dimension.weight)))
            dimension_scores.append(
                DimensionScore(
                    round=round,
                    team_id=team_id,
                    dimension=dimension,
                    dimension_key=dimension.key,
                    mean=result.mean,
                    index=result.index,
                    stdev=result.stdev,
                    agreement=agreement.rwg_j_from_counts(question_counts[dimension_id], points),
                    level=result.level,
                    responses=dimension_responses.get((team_id, dimension_id), 0),
                    answers=result.count,
                    dont_know=dk_by_dimension[dimension_id],
                    not_applicable=na_by_dimension[dimension_id],
                )
            )
        overall = scoring.weighted_mean(weighted)
        if overall is None:
            # Every dimension fell below its gate: the team–round is hidden like one below k.
            team_scores.append(hidden_score(team_id))
            published_teams.discard(team_id)
            continue
        overall_index = scoring.index(overall, points)
        team_scores.append(
            TeamScore(
                round=round,
                team_id=team_id,
                responses=responses,
                invited=invited.get(team_id, 0),
                hidden=False,
                mean=overall,
                index=overall_index,
                level=scoring.level(overall_index, thresholds),
            )
        )

    TeamScore.objects.bulk_create(team_scores, batch_size=1000)
    DimensionScore.objects.bulk_create(dimension_scores, batch_size=1000)
    QuestionDistribution.objects.bulk_create(distributions, batch_size=1000)
    _store_comments(round=round, team_ids=detailed_teams & published_teams)
    _store_reliability(round=round, team_ids=published_teams, questions=questions, dimensions=dimensions)
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
    """
    points = round.model.scale_points
    by_dimension: dict[int, list[int]] = defaultdict(list)
    for question_id, question in sorted(questions.items(), key=lambda item: (item[1].order, item[0])):
        by_dimension[question.dimension_id].append(question_id)
    # dimension → response → question → value used
    rows: dict[int, dict[object, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    answers = (
        Answer.objects.filter(
            response__round=round,
            response__status=Response.Status.SUBMITTED,
            response__team_id__in=team_ids,
            value__isnull=False,
        )
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


@transaction.atomic
def answers_purge(*, older_than_years: int, now=None, by=None) -> int:
    """Retention: delete raw responses (answers, comments) and participations of rounds that ended
    more than ``older_than_years`` ago. Stored scores stay. Returns how many rounds were purged."""
    if older_than_years < 1:
        raise ValueError("older_than_years must be 1 or more")
    now = now or timezone.now()
    cutoff = now - timedelta(days=round(365.25 * older_than_years))
    rounds = list(Round.objects.purgeable(cutoff))
    for old in rounds:
        responses = Response.objects.filter(round=old).count()
        Response.objects.filter(round=old).delete()  # answers and comments go with them (cascade)
        Participation.objects.filter(round=old).delete()
        Round.objects.filter(pk=old.pk).update(answers_purged_at=now)
        record(AuditEvent.Action.ANSWERS_PURGED, old, actor=by, responses=responses, years=older_than_years)
    return len(rounds)


# --- Reminders -------------------------------------------------------------------------------
