"""round_close: aggregates stored in bulk, hidden below k, details only at k_detail."""

import pytest

from assessments.models import (
    DimensionComment,
    DimensionScore,
    Question,
    QuestionDistribution,
    Response,
    TeamScore,
)
from assessments.services import response_save, round_close
from tests.factories import make_round


def answers_for(model, tokens):
    questions = Question.objects.filter(dimension__model=model).order_by("dimension__order", "order")
    return dict(zip([q.pk for q in questions], tokens, strict=True))


def submit(round_, team, user, tokens, comments=None):
    return response_save(
        round=round_,
        team=team,
        user=user,
        answers=answers_for(round_.model, tokens),
        comments=comments or {},
        submit=True,
    )


def test_scores_follow_the_spec_to_the_last_decimal(open_round, team, colleagues):
    # Questions: d1q1, d1q2 (reverse), d2q1, d2q2 (reverse); 5-point scale.
    submit(open_round, team, colleagues[0], ["5", "1", "4", "na"])
    submit(open_round, team, colleagues[1], ["3", "3", "dk", "2"])
    submit(open_round, team, colleagues[2], ["4", "2", "2", "5"])
    round_close(round=open_round)

    d1 = DimensionScore.objects.get(round=open_round, team=team, dimension_key="dim-1")
    # values used: 5, 5 (6-1), 3, 3, 4, 4 → mean 4.0; population stdev sqrt(2/3)
    assert d1.mean == pytest.approx(4.0)
    assert d1.index == pytest.approx(75.0)
    assert d1.stdev == pytest.approx((2 / 3) ** 0.5)
    assert d1.level == 4
    assert (d1.responses, d1.answers, d1.dont_know, d1.not_applicable) == (3, 6, 0, 0)

    d2 = DimensionScore.objects.get(round=open_round, team=team, dimension_key="dim-2")
    # values used: 4, 4 (6-2), 2, 1 (6-5) → mean 2.75; one don't know, one n/a left out
    assert d2.mean == pytest.approx(2.75)
    assert (d2.answers, d2.dont_know, d2.not_applicable) == (4, 1, 1)

    overall = TeamScore.objects.get(round=open_round, team=team)
    assert not overall.hidden
    assert overall.responses == 3
    assert overall.mean == pytest.approx((4.0 + 2.75) / 2)
    assert overall.index == pytest.approx(((4.0 + 2.75) / 2 - 1) / 4 * 100)


def test_dimension_weights_enter_the_overall_score(open_round, team, colleagues):
    open_round.model.dimensions.filter(key="dim-2").update(weight=3)
    for user in colleagues[:3]:
        submit(open_round, team, user, ["5", "1", "1", "5"])
    round_close(round=open_round)
    overall = TeamScore.objects.get(round=open_round, team=team)
    assert overall.mean == pytest.approx((5 * 1 + 1 * 3) / 4)


def test_below_k_stores_the_count_and_nothing_else(open_round, team, colleagues):
    submit(open_round, team, colleagues[0], ["5", "1", "4", "4"])
    submit(open_round, team, colleagues[1], ["5", "1", "4", "4"])
    round_close(round=open_round)
    score = TeamScore.objects.get(round=open_round, team=team)
    assert score.hidden and score.responses == 2
    assert score.mean is None and score.index is None and score.level is None
    assert not DimensionScore.objects.filter(round=open_round).exists()
    assert not QuestionDistribution.objects.filter(round=open_round).exists()


def test_distributions_and_comments_only_at_k_detail(open_round, team, colleagues):
    dimension = open_round.model.dimensions.get(key="dim-1")
    for user in colleagues[:4]:
        submit(open_round, team, user, ["5", "1", "4", "4"], comments={dimension.pk: f"note from {user.pk}"})
    round_close(round=open_round)
    assert DimensionScore.objects.filter(round=open_round).count() == 2
    assert not QuestionDistribution.objects.filter(round=open_round).exists()
    assert not DimensionComment.objects.filter(round=open_round).exists()


def test_distribution_counts_every_point_dont_know_and_na(small_model, team, colleagues):
    round_ = make_round(model=small_model, teams=[team], k=3, k_detail=3)
    submit(round_, team, colleagues[0], ["5", "1", "dk", "na"])
    submit(round_, team, colleagues[1], ["5", "2", "dk", "3"])
    submit(round_, team, colleagues[2], ["1", "2", "4", "3"])
    submit(round_, team, colleagues[3], ["dk", "na", "2", "3"])
    submit(round_, team, colleagues[4], ["na", "dk", "4", "dk"])
    round_close(round=round_)
    first = QuestionDistribution.objects.get(round=round_, question_key="dim-1-q1")
    assert (first.counts, first.dont_know, first.not_applicable) == ([1, 0, 0, 0, 2], 1, 1)
    reverse = QuestionDistribution.objects.get(round=round_, question_key="dim-1-q2")
    assert reverse.counts == [1, 2, 0, 0, 0]  # as given, before reverse scoring
    assert reverse.mean == pytest.approx((5 + 4 + 4) / 3)  # values used
    third = QuestionDistribution.objects.get(round=round_, question_key="dim-2-q1")
    assert (third.dont_know, third.not_applicable, third.counts, third.answered) == (2, 0, [0, 1, 0, 2, 0], 3)


def test_no_question_distribution_from_fewer_than_k_detail_people_on_the_scale(small_model, team, colleagues):
    """Four "don't know" and one answer on the scale: that answer would be one person's, on show."""
    round_ = make_round(model=small_model, teams=[team], k=3, k_detail=5)
    submit(round_, team, colleagues[0], ["4", "2", "5", "1"])
    for colleague in colleagues[1:]:
        submit(round_, team, colleague, ["dk", "dk", "4", "na"])
    round_close(round=round_)
    stored = set(QuestionDistribution.objects.filter(round=round_).values_list("question_key", flat=True))
    assert stored == {"dim-2-q1"}  # the only question five people answered on the scale


def test_a_team_round_with_no_dimension_above_its_gate_is_hidden(small_model, team, colleagues):
    """One on the scale, two "don't know" to everything (k = k_detail = 3): nothing to publish."""
    round_ = make_round(model=small_model, teams=[team], k=3, k_detail=3)
    submit(round_, team, colleagues[0], ["4", "2", "5", "1"])
    submit(round_, team, colleagues[1], ["dk"] * 4)
    submit(round_, team, colleagues[2], ["dk"] * 4)
    round_close(round=round_)
    score = TeamScore.objects.get(round=round_, team=team)
    assert (score.hidden, score.index, score.responses) == (True, None, 3)
    assert score.hidden_reason == TeamScore.HiddenReason.FEW_ON_SCALE
    assert not DimensionScore.objects.filter(round=round_).exists()
    assert not QuestionDistribution.objects.filter(round=round_).exists()


def test_comments_are_not_stored_in_submission_order(small_model, team):
    from tests.factories import MembershipFactory

    round_ = make_round(model=small_model, teams=[team], k=3, k_detail=3)
    dimension = small_model.dimensions.get(key="dim-1")
    texts = [f"comment number {i:02d}" for i in range(12)]
    for text in texts:
        submit(round_, team, MembershipFactory(team=team).user, ["3"] * 4, comments={dimension.pk: text})
    round_close(round=round_)
    stored = list(
        DimensionComment.objects.filter(round=round_).order_by("position").values_list("text", flat=True)
    )
    assert sorted(stored) == sorted(texts)
    assert stored != texts


def test_close_removes_drafts_and_is_idempotent(open_round, team, colleagues):
    for user in colleagues[:3]:
        submit(open_round, team, user, ["4"] * 4)
    response_save(
        round=open_round,
        team=team,
        user=colleagues[3],
        answers=answers_for(open_round.model, ["1", None, None, None]),
        comments={},
        submit=False,
    )
    closed = round_close(round=open_round)
    assert closed.scored_at is not None and closed.closed_at is not None
    assert not Response.objects.filter(status=Response.Status.DRAFT).exists()
    assert TeamScore.objects.get(round=open_round).responses == 3
    again = round_close(round=open_round)
    assert again.scored_at == closed.scored_at
    assert TeamScore.objects.filter(round=open_round).count() == 1


def test_team_without_responses_gets_a_hidden_zero(open_round, team, other_team):
    open_round.teams.add(other_team)
    round_close(round=open_round)
    assert TeamScore.objects.get(round=open_round, team=other_team).responses == 0
    assert TeamScore.objects.get(round=open_round, team=other_team).hidden


def test_rebuild_scores_recomputes_the_same_numbers(open_round, team, colleagues):
    from io import StringIO

    from django.core.management import call_command

    for i, user in enumerate(colleagues[:3]):
        submit(open_round, team, user, [str(i + 2)] * 4)
    round_close(round=open_round)
    before = list(
        DimensionScore.objects.values_list("dimension_key", "mean", "stdev", "responses").order_by(
            "dimension_key"
        )
    )
    DimensionScore.objects.update(mean=0)
    call_command("rebuild_scores", stdout=StringIO())
    after = list(
        DimensionScore.objects.values_list("dimension_key", "mean", "stdev", "responses").order_by(
            "dimension_key"
        )
    )
    assert after == before


def test_close_rounds_command_closes_what_is_due(small_model, team):
    from io import StringIO

    from django.core.management import call_command

    due = make_round(model=small_model, teams=[team], state="past")
    open_ = make_round(model=small_model, teams=[team], state="open", name="still open")
    out = StringIO()
    call_command("close_rounds", stdout=out)
    due.refresh_from_db()
    open_.refresh_from_db()
    assert due.scored_at is not None and open_.scored_at is None
    assert "1 round closed and scored." in out.getvalue()


def test_agreement_rwg_j_is_stored_with_each_dimension_score(open_round, team, colleagues):
    submit(open_round, team, colleagues[0], ["5", "1", "4", "na"])
    submit(open_round, team, colleagues[1], ["3", "3", "dk", "2"])
    submit(open_round, team, colleagues[2], ["4", "2", "2", "5"])
    round_close(round=open_round)
    scores = {s.dimension_key: s for s in DimensionScore.objects.filter(round=open_round)}
    # dim-1: answers 5, 3, 4 and 1, 3, 2 → sample variances 1.0 and 1.0; null on 5 points 2.0;
    # ratio .5 over J = 2: 2·.5 / (2·.5 + .5) = .667 (moderate).
    assert scores["dim-1"].agreement == pytest.approx(2 / 3)
    # dim-2: 4, 2 and 2, 5 → variances 2.0 and 4.5, wider than random: truncated to 0 (weak).
    assert scores["dim-2"].agreement == 0.0


def test_reliability_is_stored_per_dimension_across_the_published_teams(
    small_model, team, other_team, colleagues
):
    from assessments import reliability
    from assessments.models import DimensionReliability, QuestionReliability
    from tests.factories import MembershipFactory

    round_ = make_round(model=small_model, teams=[team, other_team], state="open")
    given = [["5", "1", "4", "2"], ["4", "2", "4", "1"], ["2", "4", "3", "3"], ["1", "5", "dk", "4"]]
    for user, tokens in zip(colleagues, given, strict=False):
        submit(round_, team, user, tokens)
    # Two people of the other team: below k, so their answers enter no aggregate, this one neither.
    for tokens in (["1", "1", "1", "1"], ["5", "5", "5", "5"]):
        submit(round_, other_team, MembershipFactory(team=other_team).user, tokens)
    round_close(round=round_)

    stored = {r.dimension_key: r for r in DimensionReliability.objects.filter(round=round_)}
    # dim-1, values used (the second question reverse-scored, 6 − answer): four complete responses.
    expected = reliability.reliability([(5, 5), (4, 4), (2, 2), (1, 1)])
    assert stored["dim-1"].responses == 4
    assert stored["dim-1"].alpha == pytest.approx(expected.alpha)
    # dim-2: the fourth response said "don't know" once, so three complete responses remain: k = 3.
    expected = reliability.reliability([(4, 4), (4, 5), (3, 3)])
    assert stored["dim-2"].responses == 3
    assert stored["dim-2"].alpha == pytest.approx(expected.alpha)
    items = QuestionReliability.objects.filter(dimension_reliability=stored["dim-2"]).order_by("question_key")
    assert [round(i.item_rest, 6) for i in items] == [round(i.item_rest, 6) for i in expected.items]
    # Nothing per person: the figures are all there is.
    assert set(QuestionReliability.objects.values_list("question_key", flat=True)) == {
        q.key for q in Question.objects.filter(dimension__model=small_model)
    }


def test_a_large_round_enters_reliability_through_a_random_sample_of_responses(
    monkeypatch, small_model, team, colleagues
):
    from assessments import reliability
    from assessments.models import DimensionReliability, Response
    from assessments.services import scores as scores_service

    round_ = make_round(model=small_model, teams=[team], state="open")
    given = [["5", "1", "4", "2"], ["4", "2", "4", "1"], ["2", "4", "3", "3"], ["1", "5", "2", "4"]]
    for user, tokens in zip(colleagues, given, strict=False):
        submit(round_, team, user, tokens)
    monkeypatch.setattr(scores_service, "RELIABILITY_SAMPLE", 3)
    round_close(round=round_)

    # The three responses with the smallest (fresh, random) keys enter, and the count says three.
    sample = list(Response.objects.filter(round=round_).order_by("pk")[:3])
    values = {
        response.pk: [
            answer.value
            for answer in response.answers.order_by("question__dimension__order", "question__order")
        ]
        for response in sample
    }
    dim_1 = [(row[0], 6 - row[1]) for row in values.values()]
    stored = DimensionReliability.objects.get(round=round_, dimension_key="dim-1")
    assert stored.responses == 3
    assert stored.alpha == pytest.approx(reliability.reliability(dim_1).alpha)


def test_no_reliability_below_k_complete_responses(open_round, team, colleagues):
    from assessments.models import DimensionReliability

    submit(open_round, team, colleagues[0], ["5", "1", "dk", "2"])
    submit(open_round, team, colleagues[1], ["3", "3", "dk", "2"])
    submit(open_round, team, colleagues[2], ["4", "2", "2", "5"])
    round_close(round=open_round)
    assert list(DimensionReliability.objects.values_list("dimension_key", "responses")) == [("dim-1", 3)]
