import pytest

from improvements import services
from tests.factories import make_model


@pytest.fixture
def small_model(db):
    """5-point scale, 2 dimensions × 2 questions (dim-1, dim-2)."""
    return make_model(points=5)


@pytest.fixture
def new_action(team, member):
    """``new_action(title, stage=...)``: a checkout action, created and moved through the services."""

    def create(title: str = "Shorter stand-ups", *, stage: str = "plan", owner=None, **fields):
        action = services.action_create(team=team, title=title, by=member, owner=owner or member, **fields)
        path = {"plan": [], "do": ["do"], "check": ["do", "check"], "act": ["do", "check", "act"]}
        path.update({"done": ["do", "check", "act", "done"], "dropped": ["dropped"]})
        for step in path[stage]:
            services.action_move(action=action, stage=step, by=member)
        return action

    return create
