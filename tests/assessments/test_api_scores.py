"""GET /api/v1/rounds/{id}/scores: signed-in, k-aware, never a score below k."""

import pytest

from tests.factories import TeamFactory, make_model, make_round, make_scored_history


@pytest.fixture
def history(db, team, other_team):
    extra = TeamFactory(group=team.group, name="Billing", slug="billing")
    return make_scored_history(
        model=make_model(points=5), teams=[team, other_team, extra], rounds=1, hidden={("billing", 1)}
    )


def test_scores_for_bi_tools(client_for, manager, history):
    response = client_for(manager).get(f"/api/v1/rounds/{history[0].pk}/scores")
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
        "agreement": 0.82,
        "agreement_band": "strong",
    }
    assert teams["billing"] == {
        "team": "billing",
        "group": "payments",
        "responses": 2,
        "members": 6,
        "hidden": True,
        "hidden_reason": "few-responses",
        "index": None,
        "level": None,
        "dimensions": [],
    }
    assert "ledger" not in teams  # another group's team: not the manager's to see


@pytest.mark.parametrize(
    ("persona", "teams"),
    [("member", {"checkout"}), ("outsider", {"ledger"}), ("staff", {"checkout", "ledger", "billing"})],
)
def test_scores_hold_only_the_teams_the_viewer_may_open(client_for, request, history, persona, teams):
    body = client_for(request.getfixturevalue(persona)).get(f"/api/v1/rounds/{history[0].pk}/scores").json()
    assert {team["team"] for team in body["teams"]} == teams


def test_a_team_round_with_no_dimension_on_the_scale_is_hidden_with_its_reason(client_for, lead, team):
    """One person on the scale, two "don't know" to everything: hidden, and the API says why."""
    from assessments.services import round_close
    from tests.factories import MembershipFactory, answer_all

    round_ = make_round(model=make_model(points=5), teams=[team], k=3, k_detail=3)
    answer_all(round_, team, MembershipFactory(team=team).user, "4")
    answer_all(round_, team, MembershipFactory(team=team).user, "dk")
    answer_all(round_, team, MembershipFactory(team=team).user, "dk")
    round_close(round=round_)
    response = client_for(lead).get(f"/api/v1/rounds/{round_.pk}/scores")
    assert response.status_code == 200
    (checkout,) = response.json()["teams"]
    assert (checkout["hidden"], checkout["hidden_reason"], checkout["index"], checkout["dimensions"]) == (
        True,
        "few-on-scale",
        None,
        [],
    )


def test_anonymous_gets_401(client, history):
    assert client.get(f"/api/v1/rounds/{history[0].pk}/scores").status_code == 401


def test_open_or_unknown_round_is_404(client_for, member, team):
    round_ = make_round(model=make_model(points=5), teams=[team])
    client = client_for(member)
    assert client.get(f"/api/v1/rounds/{round_.pk}/scores").status_code == 404
    assert client.get("/api/v1/rounds/999999/scores").status_code == 404


def test_round_id_out_of_range_is_a_4xx_not_a_500(client_for, member):
    assert client_for(member).get("/api/v1/rounds/99999999999999/scores").status_code == 422
