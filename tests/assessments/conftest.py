import pytest

from tests.factories import MembershipFactory, make_model, make_round


@pytest.fixture
def small_model(db):
    """5-point scale, 2 dimensions × 2 questions, the second of each reverse-scored."""
    return make_model(points=5)


@pytest.fixture
def open_round(small_model, team):
    return make_round(model=small_model, teams=[team], state="open")


@pytest.fixture
def colleagues(team):
    """Five more members of the checkout team."""
    return [MembershipFactory(team=team).user for _ in range(5)]
