"""Scoring edge cases: pure functions, no database."""

import math

import pytest

from assessments import scoring
from assessments.scoring import TeamResult


def summarise(answers):
    """The summary of answers as a team–round tallies them: None is don't know."""
    tally = scoring.Tally()
    for answer in answers:
        tally.add(answer, dont_know=answer is None)
    return scoring.summarise_counts(tally.counts)


def test_all_not_applicable_gives_no_score():
    summary = summarise([None, None, None])
    assert summary.count == 0 and summary.mean is None
    assert scoring.score(summary, 7) is None


def test_single_answer_has_zero_spread():
    result = scoring.score(summarise([5]), 7)
    assert result.mean == 5 and result.stdev == 0 and result.count == 1


def test_dont_know_and_na_are_left_out_of_the_mean():
    assert summarise([7, None, 1, None]).mean == 4


def test_reverse_item_on_seven_points():
    assert scoring.value_used(1, 7, reverse=True) == 7
    assert scoring.value_used(7, 7, reverse=True) == 1
    assert scoring.value_used(4, 7, reverse=True) == 4
    assert scoring.value_used(2, 7, reverse=False) == 2


def test_reverse_item_on_five_points_is_six_minus_answer():
    for answer in range(1, 6):
        assert scoring.value_used(answer, 5, reverse=True) == 6 - answer


def test_value_off_the_scale_is_refused():
    with pytest.raises(ValueError):
        scoring.value_used(8, 7, reverse=False)


@pytest.mark.parametrize(
    ("mean", "points", "expected"), [(1, 7, 0), (7, 7, 100), (4, 7, 50), (3, 5, 50), (5, 5, 100)]
)
def test_index(mean, points, expected):
    assert scoring.index(mean, points) == expected


@pytest.mark.parametrize(
    ("index", "level"),
    [(0, 1), (19.999, 1), (20, 2), (39.99, 2), (40, 3), (60, 4), (79.9, 4), (80, 5), (100, 5)],
)
def test_level_bands_ties_go_up(index, level):
    assert scoring.level(index) == level


def test_custom_level_bands():
    assert scoring.level(50, [10, 30, 50, 90]) == 4


def test_population_stdev():
    result = scoring.score(summarise([1, 7]), 7)
    assert result.stdev == 3
    calm = scoring.score(summarise([4, 5, 4, 5]), 7)
    assert math.isclose(calm.stdev, 0.5)


def test_summarise_counts_matches_a_tally_of_the_same_answers():
    assert scoring.summarise_counts({2: 2, 5: 1}) == summarise([2, 2, 5])


def test_weighted_mean_uses_weights_and_skips_missing():
    assert scoring.weighted_mean([(2.0, 1), (5.0, 2)]) == 4.0
    assert scoring.weighted_mean([(2.0, 1), (None, 5)]) == 2.0
    assert scoring.weighted_mean([(None, 1)]) is None


def test_deltas_by_dimension_key():
    assert scoring.deltas({"a": 4.0, "b": 3.0}, {"a": 3.5, "c": 1.0}) == {"a": 0.5, "b": None}


def test_group_aggregates_leave_out_team_rounds_below_k():
    results = [
        TeamResult("a", 5, 80.0),
        TeamResult("b", 2, 10.0),
        TeamResult("c", 3, 40.0),
        TeamResult("d", 0, None),
    ]
    assert scoring.group_index(results, k=3) == 60.0
    assert scoring.group_median(results, k=3) == 60.0
    assert scoring.level_distribution(results, k=3) == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}
    assert scoring.group_index([TeamResult("b", 2, 10.0)], k=3) is None


@pytest.mark.parametrize(
    ("index", "band"), [(0, "pathological"), (39.9, "pathological"), (40, "bureaucratic"), (70, "generative")]
)
def test_westrum_bands(index, band):
    assert scoring.westrum_band(index) == band


# --- One team–round from its tallies ---------------------------------------------------------

GATES = scoring.Gates(k=3, k_detail=5, points=5)
QUESTIONS = [
    scoring.QuestionInfo(1, dimension_id=10, reverse=False),
    scoring.QuestionInfo(2, dimension_id=10, reverse=True),
    scoring.QuestionInfo(3, dimension_id=20, reverse=False),
]
DIMENSIONS = [scoring.DimensionInfo(10, weight=1.0), scoring.DimensionInfo(20, weight=3.0)]


def tally(*answers, dont_know=0, not_applicable=0):
    result = scoring.Tally()
    for answer in answers:
        result.add(answer)
    result.add(None, dont_know, dont_know=True)
    result.add(None, not_applicable, not_applicable=True)
    return result


def team_round(tallies, dimension_responses, detailed=True, gates=GATES):
    return scoring.team_round(
        tallies=tallies,
        questions=QUESTIONS,
        dimensions=DIMENSIONS,
        dimension_responses=dimension_responses,
        detailed=detailed,
        gates=gates,
    )


def test_a_team_round_scores_its_dimensions_with_reverse_items_and_weights():
    result = team_round(
        {1: tally(5, 5, 4, 4, 5), 2: tally(1, 1, 2, 2, 1), 3: tally(2, 2, 2, 2, 2, dont_know=1)},
        {10: 5, 20: 5},
    )
    culture, other = result.dimensions
    assert culture.score.mean == 4.6 and culture.score.count == 10  # reversed 1 → 5, 2 → 4
    assert other.score.mean == 2 and other.dont_know == 1
    assert result.mean == (4.6 * 1 + 2 * 3) / 4
    assert result.level == scoring.level(result.index)
    assert culture.agreement is not None and other.agreement == 1.0  # everyone alike


def test_a_dimension_answered_on_the_scale_by_fewer_than_k_is_left_out():
    result = team_round({1: tally(4, 4, 4), 3: tally(2, 2, dont_know=3)}, {10: 3, 20: 2})
    assert [d.dimension_id for d in result.dimensions] == [10]
    assert result.mean == 4  # the overall leaves the hidden dimension out


def test_a_team_round_whose_every_dimension_is_below_its_gate_publishes_nothing():
    result = team_round({1: tally(4, 4), 3: tally(2, not_applicable=4)}, {10: 2, 20: 1})
    assert not result.published and result.dimensions == [] and result.questions == []


def test_a_questions_distribution_needs_k_detail_people_who_answered_it_on_the_scale():
    result = team_round({1: tally(1, 2, 3, 4, 5), 2: tally(3, 3, 3, 3, dont_know=1)}, {10: 5})
    assert [q.question_id for q in result.questions] == [1]
    assert result.questions[0].counts == [1, 1, 1, 1, 1] and result.questions[0].mean == 3
    assert team_round({1: tally(1, 2, 3, 4, 5)}, {10: 5}, detailed=False).questions == []


def test_counts_keep_the_answers_as_given_and_the_mean_the_values_used():
    result = team_round({2: tally(1, 1, 1, 1, 2)}, {10: 5})
    assert result.questions[0].counts == [4, 1, 0, 0, 0]
    assert result.questions[0].mean == (5 * 4 + 4) / 5


def test_participation_rate_is_a_whole_percentage_and_zero_without_invitations():
    assert scoring.participation_rate(2, 3) == 67
    assert scoring.participation_rate(0, 0) == 0
