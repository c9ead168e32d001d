import pytest

from improvements.templatetags.improvements import dimension_name, signed


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0.4213, 2, "+0.42"),
        (-0.4213, 2, "−0.42"),
        (0.0, 2, "0.00"),
        (0.001, 2, "0.00"),
        (25.0, 0, "+25"),
        (None, 2, ""),
    ],
)
def test_signed(value, digits, expected):
    assert signed(value, digits) == expected


def test_dimension_name_of_a_dimension_or_a_score():
    class Dimension:
        name = "Culture"

    class Score:
        dimension = Dimension()

    assert dimension_name(Dimension()) == "Culture"
    assert dimension_name(Score()) == "Culture"
