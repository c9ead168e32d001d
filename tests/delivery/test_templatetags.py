"""How delivery numbers read on the pages: rounded, never cut off."""

from datetime import timedelta

import pytest

from delivery.templatetags.delivery import decimal, duration, level_label, percent


@pytest.mark.parametrize(
    ("value", "text"), [(1 / 90 * 7, "0.1"), (3.26, "3.3"), (0.04, "0.0"), (None, "no data")]
)
def test_decimal_rounds(value, text):
    assert decimal(value) == text


@pytest.mark.parametrize(
    ("rate", "text"), [(0.046, "4.6 %"), (0.0999, "10.0 %"), (1 / 3, "33.3 %"), (None, "no data")]
)
def test_percent_rounds(rate, text):
    assert percent(rate) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(minutes=40), "40 minutes"),
        (timedelta(hours=2.96), "3.0 hours"),
        (timedelta(days=6.99), "7.0 days"),
        (None, "no data"),
    ],
)
def test_duration_in_the_unit_that_reads_best(value, text):
    assert duration(value) == text


def test_a_missing_level_says_so():
    assert level_label(None) == "no level yet"
    assert level_label("elite") == "Elite"
