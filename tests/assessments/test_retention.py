"""Retention: raw answers of old rounds are purged, the stored scores stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments.models import Answer, Comment, DimensionScore, Participation, Response, Round, TeamScore
from assessments.services import AnswersPurged, answers_purge, round_close, scores_store
from tests.factories import MembershipFactory, answer_all, make_model, make_round


@pytest.fixture
def old_and_recent(team):
    model = make_model(points=5)
    rounds = []
    for name, days_ago in (("old", 3 * 365 + 30), ("recent", 100)):
        round_ = make_round(model=model, teams=[team], state="past", name=name)
        Round.objects.filter(pk=round_.pk).update(
            opens_at=timezone.now() - timedelta(days=days_ago + 14),
            closes_at=timezone.now() - timedelta(days=days_ago),
        )
        round_.refresh_from_db()
        dimension = model.dimensions.first()
        for _ in range(3):
            answer_all(round_, team, MembershipFactory(team=team).user, "4", comments={dimension.pk: "note"})
        rounds.append(round_close(round=round_))
    return rounds


def test_purge_keeps_scores_and_removes_raw_answers_of_old_rounds_only(old_and_recent):
    old, recent = old_and_recent
    scores_before = list(
        DimensionScore.objects.filter(round=old).values_list("dimension_key", "mean", "responses")
    )
    assert answers_purge(older_than_years=2) == 1
    assert not Response.objects.filter(round=old).exists()
    assert not Participation.objects.filter(round=old).exists()
    assert Response.objects.filter(round=recent).count() == 3
    assert Answer.objects.filter(response__round=recent).exists() and Comment.objects.exists()
    assert list(
        DimensionScore.objects.filter(round=old).values_list("dimension_key", "mean", "responses")
    ) == (scores_before)
    assert TeamScore.objects.get(round=old).responses == 3
    old.refresh_from_db()
    assert old.answers_purged_at is not None
    assert answers_purge(older_than_years=2) == 0  # nothing left to purge


def test_scores_of_a_purged_round_are_never_recomputed_to_nothing(old_and_recent):
    old, _recent = old_and_recent
    answers_purge(older_than_years=2)
    old.refresh_from_db()
    with pytest.raises(AnswersPurged):
        scores_store(round=old)
    call_command("rebuild_scores", stdout=StringIO())
    assert TeamScore.objects.get(round=old).responses == 3


def test_retention_is_off_by_default(old_and_recent, settings):
    assert settings.GEMBA_ANSWER_RETENTION_YEARS == 0
    out = StringIO()
    call_command("purge_answers", stdout=out)
    assert "Retention is off" in out.getvalue()
    assert Response.objects.count() == 6


def test_purge_command_with_setting(old_and_recent, settings):
    settings.GEMBA_ANSWER_RETENTION_YEARS = 2
    out = StringIO()
    call_command("purge_answers", stdout=out)
    assert "of 1 rounds" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("purge_answers", "--years", "-1")
