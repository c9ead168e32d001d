"""Scoring edge cases: pure functions, no database."""

import math

import pytest

from assessments import scoring
from assessments.scoring import TeamResult


def test_all_not_applicable_gives_no_score():
    summary = scoring.summarise([None, None, None])
    assert summary.count == 0 and summary.mean is None
    assert scoring.score(summary, 7) is None


def test_single_answer_has_zero_spread():
    result = scoring.score(scoring.summarise([5]), 7)
    assert result.mean == 5 and result.stdev == 0 and result.count == 1


def test_dont_know_and_na_are_left_out_of_the_mean():
    assert scoring.summarise([7, None, 1, None]).mean == 4


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
    result = scoring.score(scoring.summarise([1, 7]), 7)
    assert result.stdev == 3
    calm = scoring.score(scoring.summarise([4, 5, 4, 5]), 7)
    assert math.isclose(calm.stdev, 0.5)


def test_summarise_counts_matches_summarise():
    assert scoring.summarise_counts({2: 2, 5: 1}) == scoring.summarise([2, 2, 5])


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
