"""GET /api/v1/rounds/{id}/scores: signed-in, k-aware, never a score below k."""

import pytest

from tests.factories import TeamFactory, make_model, make_round, make_scored_history


@pytest.fixture
def history(db, team, other_team):
    extra = TeamFactory(group=team.group, name="Billing", slug="billing")
    return make_scored_history(
        model=make_model(points=5), teams=[team, other_team, extra], rounds=1, hidden={("billing", 1)}
    )


def test_scores_for_bi_tools(client_for, member, history):
    response = client_for(member).get(f"/api/v1/rounds/{history[0].pk}/scores")
    assert response.status_code == 200
    body = response.json()
    assert body["k"] == 3 and body["scale_points"] == 5
    teams = {team["team"]: team for team in body["teams"]}
    assert teams["checkout"]["dimensions"][0] == {
        "key": "dim-1",
        "name": "Dimension 1",
        "index": 31.0,
        "mean": 2.24,
        "level": 2,
        "responses": 5,
        "stdev": 0.8,
    }
    assert teams["billing"] == {
        "team": "billing",
        "group": "payments",
        "responses": 2,
        "members": 6,
        "hidden": True,
        "index": None,
        "level": None,
        "dimensions": [],
    }


def test_anonymous_gets_401(client, history):
    assert client.get(f"/api/v1/rounds/{history[0].pk}/scores").status_code == 401


def test_open_or_unknown_round_is_404(client_for, member, team):
    round_ = make_round(model=make_model(points=5), teams=[team])
    client = client_for(member)
    assert client.get(f"/api/v1/rounds/{round_.pk}/scores").status_code == 404
    assert client.get("/api/v1/rounds/999999/scores").status_code == 404


def test_round_id_out_of_range_is_a_4xx_not_a_500(client_for, member):
    assert client_for(member).get("/api/v1/rounds/99999999999999/scores").status_code == 422
