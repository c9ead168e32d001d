"""The heatmap's numbers stay readable on every level's fill: WCAG AA contrast (4.5 : 1) or better."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "gemba.css").read_text()


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rule(selector: str) -> str:
    found = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
    assert found, f"no rule for {selector}"
    return found.group(1)


def test_contrast_formula_matches_the_known_extremes():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_cell_numbers_read_at_aa_contrast_on_each_level(level):
    text = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", rule(".heatmap td.cell")).group(1)
    fill = re.search(r"--bs-table-bg:\s*(#[0-9a-fA-F]{6})", rule(f".heatmap td.level-{level}")).group(1)
    assert contrast(text, fill) >= 4.5, (level, text, fill, round(contrast(text, fill), 2))
    delta = re.search(r"color:\s*(#[0-9a-fA-F]{6})", rule(".heatmap td.cell .delta")).group(1)
    assert contrast(delta, fill) >= 4.5
