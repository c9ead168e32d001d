"""survey_minutes: the time a survey announces follows from its length."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.survey_time import survey_minutes


@pytest.mark.parametrize(
    ("questions", "minutes"),
    [(40, (6, 8)), (10, (2, 2)), (1, (1, 1)), (0, (1, 1))],
)
def test_the_full_survey_and_the_pulse(questions, minutes):
    assert survey_minutes(questions) == minutes


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=500))
def test_a_longer_survey_never_announces_less_time(a, b):
    shorter, longer = sorted((a, b))
    low, high = survey_minutes(shorter)
    assert 1 <= low <= high
    assert survey_minutes(longer)[0] >= low and survey_minutes(longer)[1] >= high
