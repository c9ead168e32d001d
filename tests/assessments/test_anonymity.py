"""SPEC §3.3: anonymity is a property of the data model, not of the views."""

from django.contrib import admin
from django.db import models

from assessments.models import Answer, Comment, Participation, Response
from assessments.services import respondent_key, response_for
from tests.factories import answer_all


def test_response_has_no_user_link_and_no_timestamp():
    fields = Response._meta.get_fields()
    assert not [
        f for f in fields if f.is_relation and f.related_model and f.related_model._meta.label == "auth.User"
    ]
    assert not [
        f for f in fields if isinstance(f, models.DateField | models.DateTimeField | models.TimeField)
    ]
    assert isinstance(Response._meta.pk, models.UUIDField)


def test_answers_and_comments_carry_no_person_and_no_time():
    for model in (Answer, Comment):
        for field in model._meta.get_fields():
            assert not isinstance(field, models.DateField | models.DateTimeField)
            if field.is_relation and field.related_model:
                assert field.related_model._meta.label != "auth.User"


def test_participation_has_no_link_to_responses_and_no_time():
    related = {f.related_model for f in Participation._meta.get_fields() if f.is_relation}
    assert Response not in related and Answer not in related
    assert not [f for f in Participation._meta.get_fields() if isinstance(f, models.DateTimeField)]


def test_no_history_tracking_on_responses_or_answers():
    for model in (Response, Answer, Comment, Participation):
        assert not hasattr(model, "history")


def test_responses_are_ordered_by_their_random_key_not_by_insertion():
    assert Response._meta.ordering == ["id"]


def test_participations_have_a_random_key_too():
    # Answer ids grow as submissions come in: growing participation ids would pair them up.
    assert isinstance(Participation._meta.pk, models.UUIDField)
    assert Participation._meta.ordering == ["id"]


def test_respondent_key_is_a_keyed_hash_not_the_user_id(settings):
    key = respondent_key(user_id=7, round_id=1, team_id=2)
    assert len(key) == 64 and "7" * 3 not in key
    assert key != respondent_key(user_id=7, round_id=1, team_id=3)
    settings.RESPONDENT_KEY_SECRET = "another secret"
    assert key != respondent_key(user_id=7, round_id=1, team_id=2)


def test_the_respondent_alone_finds_their_response(open_round, team, member, lead):
    mine = answer_all(open_round, team, member, "4")
    assert response_for(round=open_round, team=team, user=member) == mine
    assert response_for(round=open_round, team=team, user=lead) is None


def test_no_admin_page_lists_responses_answers_comments_or_participations():
    registered = set(admin.site._registry)
    assert not registered & {Response, Answer, Comment, Participation}


def test_deleting_a_user_removes_participation_and_keeps_the_aggregates(open_round, team, colleagues):
    from assessments.models import DimensionScore, TeamScore
    from assessments.services import round_close, scores_store

    for user, value in zip(colleagues[:3], "425", strict=True):
        answer_all(open_round, team, user, value)
    round_close(round=open_round)
    stored = TeamScore.objects.values("responses", "mean", "index", "level").get(round=open_round, team=team)
    dimensions = sorted(DimensionScore.objects.filter(round=open_round).values_list("dimension_key", "mean"))
    gone = colleagues[0].pk
    colleagues[0].delete()
    assert Participation.objects.filter(round=open_round).count() == 2
    assert not Participation.objects.filter(user_id=gone).exists()
    assert Response.objects.filter(round=open_round).count() == 3
    # Their answers stay, unlinked; rebuilding the scores (manage.py rebuild_scores) keeps them.
    scores_store(round=open_round)
    assert (
        TeamScore.objects.values("responses", "mean", "index", "level").get(round=open_round, team=team)
        == stored
    )
    assert (
        sorted(DimensionScore.objects.filter(round=open_round).values_list("dimension_key", "mean"))
        == dimensions
    )
