"""Within-team agreement rwg(j): pure functions, no database, checked on the literature's numbers."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments import agreement


def test_null_variance_of_the_uniform_distribution():
    # James, Demaree & Wolf (1984): σ²_EU = (A² − 1) / 12, 2.0 on five points, 4.0 on seven.
    assert agreement.null_variance(5) == 2.0
    assert agreement.null_variance(7) == 4.0


def test_single_question_rwg_is_one_minus_the_variance_ratio():
    # Observed variance 0.5 on a 5-point scale: 1 − 0.5 / 2 = .75.
    assert agreement.rwg(0.5, 5) == pytest.approx(0.75)
    assert agreement.rwg(2.0, 5) == 0.0


def test_rwg_j_grows_with_the_number_of_questions():
    # Mean variance half the null's: one question gives .50, ten give 10·.5 / (10·.5 + .5) = .909
    # (the Spearman–Brown step-up LeBreton & Senter 2008 warn about when comparing dimensions).
    assert agreement.rwg_j([1.0], 5) == pytest.approx(0.5)
    assert agreement.rwg_j([1.0] * 10, 5) == pytest.approx(10 / 11)
    assert agreement.rwg_j([0.5, 1.5], 5) == pytest.approx(2 * 0.5 / (2 * 0.5 + 0.5))


def test_answers_wider_than_random_are_truncated_to_zero():
    # Half at 1 and half at 7: variance far above the uniform null's 4.0.
    assert agreement.rwg_j_from_counts([{1: 3, 7: 3}, {1: 3, 7: 3}], 7) == 0.0


def test_everyone_alike_is_full_agreement():
    assert agreement.rwg_j_from_counts([{6: 5}, {2: 5}], 7) == 1.0


def test_questions_with_fewer_than_two_answers_carry_no_variance():
    assert agreement.sample_variance({4: 1}) is None
    assert agreement.rwg_j_from_counts([{4: 1}], 7) is None
    # The question with one answer is left out; the other alone decides.
    assert agreement.rwg_j_from_counts([{4: 1}, {5: 4}], 7) == 1.0


def test_sample_variance_uses_n_minus_one():
    # 2, 4, 4, 4, 5, 5, 7, 9: sum of squares about the mean (5) is 32; 32 / 7.
    assert agreement.sample_variance({2: 1, 4: 3, 5: 2, 7: 1, 9: 1}) == pytest.approx(32 / 7)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (0.0, "weak"),
        (0.5, "weak"),
        (0.504, "weak"),
        (0.51, "moderate"),
        (0.70, "moderate"),
        (0.71, "strong"),
        (0.90, "strong"),
        (0.91, "very-strong"),
        (1.0, "very-strong"),
    ],
)
def test_bands_of_lebreton_and_senter(value, key):
    assert agreement.band(value).key == key


def test_only_weak_agreement_asks_to_talk_about_it():
    assert agreement.band(0.3).talk_about_it
    assert not any(agreement.band(v).talk_about_it for v in (0.6, 0.8, 0.95))


@given(st.lists(st.dictionaries(st.integers(1, 7), st.integers(0, 12), max_size=7), max_size=8))
def test_rwg_j_always_lies_between_zero_and_one(questions):
    value = agreement.rwg_j_from_counts(questions, 7)
    assert value is None or 0.0 <= value <= 1.0
    assert value is None or not math.isnan(value)
