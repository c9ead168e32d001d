"""Fixtures of the portal tests."""

import pytest


@pytest.fixture
def tiny_scale(monkeypatch):
    """A tiny enterprise data set for `seed_demo --scale enterprise` and `bench`: 4 teams, 2 rounds."""
    from devtools.management.commands import seed_demo
    from devtools.seeds.organisation import EnterpriseScale

    scale = EnterpriseScale(
        groups=2,
        teams_per_group=2,
        people_per_team=6,
        rounds=2,
        responses_per_team=4,
        deployments=300,
        actions=40,
    )
    monkeypatch.setattr(seed_demo, "ENTERPRISE", scale)
    return scale
