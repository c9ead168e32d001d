"""Who took part, and what was answered — kept apart so no one can join the two.

Participation names a person but holds no answers. Response holds answers but no person:
a random UUID key, the round and team, and, while the round is open, an HMAC of (user, round,
team) with GEMBA_RESPONDENT_SECRET so the respondent alone finds it again. When the round closes
``round_anonymise`` rewrites responses, answers and comments in a random order with fresh keys
and wipes the respondent keys. No timestamps anywhere, no history tracking.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models.maturity import Dimension, Question
from assessments.models.rounds import Round
from teams.models import Team


class Participation(models.Model):
    """That a person took part in a round for a team: for counts and reminders, never for answers.

    Its key is random too: answers and comments get growing ids as they come in, so growing
    participation ids would pair the n-th participation with the n-th set of answers.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("user"),
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participations")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="participations")

    class Meta:
        # Random order, like responses: never the order people took part in.
        ordering = ["id"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "round", "team"], name="participation_unique_user_round_team"
            )
        ]
        indexes = [models.Index(fields=["round", "team"], name="participation_round_team")]

    def __str__(self) -> str:
        return f"{self.round} · {self.team}"


class ResponseQuerySet(models.QuerySet["Response"]):
    def submitted(self) -> ResponseQuerySet:
        return self.filter(status=Response.Status.SUBMITTED)


class Response(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="responses")
    # The respondent's keyed hash while the round is open; NULL once it closed (nothing can change).
    # NULL rather than "": wiped keys must not collide in the one-response-per-respondent constraint.
    respondent_key = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        # Random order: the UUID, never insertion order.
        ordering = ["id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "team", "respondent_key"], name="response_one_per_respondent_team_round"
            )
        ]
        indexes = [models.Index(fields=["round", "team", "status"], name="response_round_team_status")]

    def __str__(self) -> str:
        return f"{self.round} · {self.team} · {self.get_status_display()}"


class Answer(models.Model):
    class Special(models.TextChoices):
        NONE = "", _("a point of the scale")
        DONT_KNOW = "dk", _("don't know")
        NOT_APPLICABLE = "na", _("not applicable")

    # No foreign-key constraints in the database for these two: closing a round copies every
    # answer once (round_anonymise), and checking a million references one by one at commit took
    # longer than the copy itself. Answers are only ever written through their response, for the
    # questions of the response's model (services.responses), or copied with it; Django still
    # cascades and protects. The (response, question) constraint is the index on response.
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", db_constraint=False, db_index=False
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", db_constraint=False
    )
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    special = models.CharField(max_length=2, choices=Special.choices, default=Special.NONE, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=(
                    Q(value__isnull=False, special="") | Q(value__isnull=True, special__in=["dk", "na"])
                ),
                name="answer_value_or_special",
            ),
        ]

    def __str__(self) -> str:
        return self.special or str(self.value)


class Comment(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="comments")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=2000)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(fields=["response", "dimension"], name="comment_one_per_dimension")
        ]

    def __str__(self) -> str:
        return self.text[:60]
