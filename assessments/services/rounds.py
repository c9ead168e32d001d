"""A round's life in the database: created by a lead, closed (early or on its date) with its
answers anonymised and its scores stored."""

from __future__ import annotations

import secrets
import uuid

from django.db import connection, transaction
from django.utils import timezone

from assessments.models import Answer, Comment, ReminderDelivery, Response, Round
from assessments.services.scores import scores_store
from audit.models import AuditEvent
from audit.trail import record


@transaction.atomic
def round_create(*, form, by) -> Round:
    """Save a validated RoundForm as a new round created by ``by``."""
    round_ = form.save(commit=False)
    round_.created_by = by
    round_.save()
    form.save_m2m()
    record(AuditEvent.Action.ROUND_CREATED, round_, by=by, teams=sorted(t.slug for t in round_.teams.all()))
    return round_


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
    # Anonymised while the teams are scored from the tallies (the copy keeps every value).
    scores_store(round=locked, meanwhile=lambda: round_anonymise(round=locked))
    locked.scored_at = now
    # update() rather than save(): closing must not trip the frozen-settings guard.
    Round.objects.filter(pk=locked.pk).update(closed_at=locked.closed_at, scored_at=locked.scored_at)
    record(AuditEvent.Action.ROUND_CLOSED, locked, by=by, early=early)
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
        if connection.vendor == "postgresql":
            # Enough memory to shuffle a round's answers (4,000 teams: ~1.2 M rows) without disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
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
        if connection.vendor == "postgresql":
            # Its size, so that the planner reads only this round's answers, through their index.
            cursor.execute("ANALYZE gemba_anonymise")
        # Copied in the shuffled order of their responses: ids and physical order follow it.
        cursor.execute(
            f"INSERT INTO {answer_table} (response_id, question_id, value, special) "
            f"SELECT m.new_id, a.question_id, a.value, a.special FROM {answer_table} a "
            "JOIN gemba_anonymise m ON a.response_id = m.old_id ORDER BY m.position"
        )
        cursor.execute(
            f"INSERT INTO {comment_table} (response_id, dimension_id, text) "
            f"SELECT m.new_id, c.dimension_id, c.text FROM {comment_table} c "
            "JOIN gemba_anonymise m ON c.response_id = m.old_id ORDER BY m.position"
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
