"""Answering a survey: a member's own response, found again through a keyed hash, saved as a
draft or submitted, only while its round is open."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.db import connection, transaction

from assessments.models import Answer, Comment, Participation, Question, Response, Round
from teams.models import Team

DONT_KNOW = Answer.Special.DONT_KNOW.value

NOT_APPLICABLE = Answer.Special.NOT_APPLICABLE.value


class RoundNotOpen(Exception):
    """Answers can be saved only while a round is open."""


class UnknownQuestion(ValueError):
    """An answer to a question that is not in the round's model (the survey form never sends one)."""


class IncompleteSubmit(ValueError):
    """A submit must answer every question of the model (the survey form checks this first)."""


def respondent_key(*, user_id: int, round_id: int, team_id: int) -> str:
    """HMAC of (user, round, team) with the server secret: finds one's own response, names no one."""
    message = f"{user_id}:{round_id}:{team_id}".encode()
    return hmac.new(settings.RESPONDENT_KEY_SECRET.encode(), message, hashlib.sha256).hexdigest()


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
    expected = set(Question.objects.filter(dimension__model_id=round.model_id).values_list("pk", flat=True))
    if not answers.keys() <= expected:
        # The database does not check an answer's question (models.Answer): this does.
        raise UnknownQuestion("Answers are only for the questions of the round's model.")
    if submit and {question_id for question_id, token in answers.items() if token} != expected:
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
