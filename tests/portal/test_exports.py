"""CSV exports: streamed UTF-8 with a header row, only what the viewer may see, nothing below k."""

import csv
import io

import pytest

from tests.factories import TeamFactory, make_model, make_scored_history


@pytest.fixture
def history(db, team, other_team):
    model = make_model(points=5)
    extra = TeamFactory(group=team.group, name="Billing", slug="billing")
    return make_scored_history(
        model=model, teams=[team, other_team, extra], rounds=2, hidden={("billing", 2)}
    )


def read_csv(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_round_export_is_team_by_dimension_without_hidden_teams(client_for, staff, history):
    rows = read_csv(client_for(staff).get(f"/org/rounds/{history[1].pk}.csv"))
    assert set(rows[0]) == {
        "round",
        "closed",
        "team",
        "group",
        "dimension_key",
        "dimension",
        "index",
        "mean",
        "level",
        "responses",
        "agreement",
        "agreement_band",
    }
    assert {row["team"] for row in rows} == {"checkout", "ledger"}
    assert len(rows) == 2 * 2  # two visible teams × two dimensions
    first = next(r for r in rows if r["team"] == "checkout" and r["dimension_key"] == "dim-1")
    assert (first["index"], first["level"], first["responses"]) == ("33.00", "2", "5")
    assert (first["agreement"], first["agreement_band"]) == ("0.82", "strong")


def test_all_rounds_export(client_for, staff, history):
    rows = read_csv(client_for(staff).get("/org/rounds.csv"))
    assert len(rows) == 3 * 2 + 2 * 2  # round 1: three teams; round 2: billing hidden


@pytest.mark.parametrize(
    ("persona", "teams"),
    [("member", {"checkout"}), ("manager", {"checkout", "billing"}), ("outsider", {"ledger"})],
)
def test_exports_hold_only_the_teams_the_viewer_may_open(client_for, request, history, persona, teams):
    client = client_for(request.getfixturevalue(persona))
    for url in (f"/org/rounds/{history[0].pk}.csv", "/org/rounds.csv", "/org/heatmap.csv"):
        assert {row["team"] for row in read_csv(client.get(url))} <= teams, url
    assert {row["team"] for row in read_csv(client.get(f"/org/rounds/{history[0].pk}.csv"))} == teams


def test_team_history_export_only_for_who_may_see_the_team(client_for, member, outsider, history):
    rows = read_csv(client_for(member).get("/teams/checkout/history.csv"))
    assert {row["team"] for row in rows} == {"checkout"} and len(rows) == 4
    assert client_for(outsider).get("/teams/checkout/history.csv").status_code == 404


def test_heatmap_export_as_shown_with_hidden_teams_marked(client_for, manager, history):
    rows = read_csv(client_for(manager).get("/org/heatmap.csv?group=payments&sort=-team"))
    assert [row["team"] for row in rows] == ["checkout", "billing"]
    billing = rows[1]
    assert (
        billing["overall_index"] == "hidden" and billing["dim-1_index"] == "" and billing["responses"] == "2"
    )


def test_exports_need_sign_in_and_get(client, client_for, member, history):
    assert client.get("/org/rounds.csv").status_code == 302
    assert client_for(member).post("/org/rounds.csv").status_code == 405


def test_round_export_of_an_open_round_is_404(client_for, member, team):
    from tests.factories import make_round

    round_ = make_round(model=make_model(points=5), teams=[team])
    assert client_for(member).get(f"/org/rounds/{round_.pk}.csv").status_code == 404
