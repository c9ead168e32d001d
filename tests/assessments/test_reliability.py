"""Cronbach's alpha and item-rest correlations: pure functions, checked on published results."""

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments import reliability

# mtcars' cyl, gear, carb and hp (R's datasets): easystats/performance's test expects 0.09463206.
MTCARS = list(
    zip(
        [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4],
        [4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 5, 5, 5, 5, 4],
        [4, 4, 1, 1, 2, 1, 4, 2, 2, 4, 4, 3, 3, 3, 4, 4, 4, 1, 2, 1, 1, 2, 2, 4, 2, 1, 2, 2, 4, 6, 8, 2],
        [
            110,
            110,
            93,
            110,
            175,
            105,
            245,
            62,
            95,
            123,
            123,
            180,
            180,
            180,
            205,
            215,
            230,
            66,
            52,
            65,
            97,
            150,
            150,
            245,
            175,
            66,
            91,
            113,
            264,
            175,
            335,
            109,
        ],
        strict=True,
    )
)

# Ten people, three questions: pingouin.cronbach_alpha gives 0.773.
SURVEY = list(
    zip(
        [1, 2, 2, 3, 2, 2, 3, 3, 2, 3],
        [1, 1, 1, 2, 3, 3, 2, 3, 3, 3],
        [1, 1, 2, 1, 2, 3, 3, 3, 2, 3],
        strict=True,
    )
)


def test_alpha_matches_r_performance_on_mtcars():
    assert reliability.reliability(MTCARS).alpha == pytest.approx(0.09463206, abs=1e-6)


def test_alpha_matches_pingouin_on_a_small_survey():
    result = reliability.reliability(SURVEY)
    assert result.alpha == pytest.approx(0.773, abs=5e-4)
    assert result.responses == 10


def test_alpha_and_alpha_if_deleted_match_statsbase_on_its_covariance_example():
    # StatsBase.jl's cronbachalpha doctest: 0.8136 for all items; 0.7500, 0.7606, 0.7714, 0.7826 dropped.
    cov = [[10, 6, 6, 6], [6, 11, 6, 6], [6, 6, 12, 6], [6, 6, 6, 13]]
    result = reliability.reliability_from_covariance(cov, responses=40)
    assert result.alpha == pytest.approx(0.8136, abs=5e-5)
    dropped = [item.alpha_if_deleted for item in result.items]
    assert dropped == pytest.approx([0.7500, 0.7606, 0.7714, 0.7826], abs=5e-5)


def test_item_rest_is_pearsons_r_with_the_sum_of_the_other_questions():
    result = reliability.reliability(SURVEY)
    for i, item in enumerate(result.items):
        column = [row[i] for row in SURVEY]
        rest = [sum(row) - row[i] for row in SURVEY]
        assert item.item_rest == pytest.approx(statistics.correlation(column, rest))


def test_a_question_that_runs_against_the_others_pulls_its_dimension_down():
    rows = [(1, 1, 2, 6), (2, 2, 2, 3), (3, 4, 3, 7), (5, 4, 5, 2), (6, 6, 5, 5), (7, 7, 6, 3)]
    result = reliability.reliability(rows)
    flagged = [reliability.pulls_down(item, result.alpha) for item in result.items]
    assert flagged == [False, False, False, True]


def test_no_alpha_without_variance_or_with_one_question():
    assert reliability.reliability([(4, 4), (4, 4), (4, 4)]).alpha is None
    assert reliability.reliability([(1,), (3,), (5,)]).alpha is None


@given(
    st.integers(2, 5).flatmap(
        lambda j: st.lists(st.tuples(*[st.integers(1, 7)] * j), min_size=3, max_size=30)
    )
)
def test_alpha_never_exceeds_one_and_item_rest_is_a_correlation(rows):
    result = reliability.reliability(rows)
    assert result.alpha is None or result.alpha <= 1 + 1e-9
    for item in result.items:
        assert item.item_rest is None or -1 - 1e-9 <= item.item_rest <= 1 + 1e-9
