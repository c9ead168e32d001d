"""The WCAG arithmetic the browser checks rely on (no browser needed)."""

import pytest

from tests.browser.a11y import contrast_ratio, relative_luminance


def test_black_on_white_is_21_to_1():
    assert contrast_ratio("#000", "rgb(255, 255, 255)") == pytest.approx(21.0)


def test_the_ratio_does_not_depend_on_the_order():
    assert contrast_ratio("#1d4e89", "#fff") == contrast_ratio("#ffffff", "#1d4e89")


def test_grey_777_on_white_just_fails_aa():
    # The classic example: #777 on white is 4.48:1, below the 4.5:1 normal text needs.
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_luminance_uses_the_srgb_curve():
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("rgb(128, 128, 128)") == pytest.approx(0.2158, abs=0.0001)


def test_translucent_colours_are_refused():
    with pytest.raises(AssertionError, match="translucent"):
        contrast_ratio("rgba(0, 0, 0, 0.5)", "#fff")
