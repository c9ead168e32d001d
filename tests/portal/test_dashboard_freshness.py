"""Dashboards reuse cached charts and delivery keys, yet never show a stale number: a closed round,
a reported deployment or a resolved incident shows on the next view. And they stay within their
query budgets however many teams and rounds there are."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from assessments.services import round_close
from delivery import tokens
from tests.delivery.factories import ApiTokenFactory, DeploymentFactory
from tests.factories import (
    MembershipFactory,
    TeamFactory,
    answer_all,
    make_model,
    make_round,
    make_scored_history,
)


@pytest.fixture
def model(db):
    return make_model(points=5)


def close_round_answered(model, team, value, name, *, others=()):
    """A round of ``team`` (and ``others``, pairs of team and value), three answers each, closed."""
    round_ = make_round(model=model, teams=[team, *(other for other, _ in others)], name=name)
    for answering, token in [(team, value), *others]:
        for _ in range(3):
            answer_all(round_, answering, MembershipFactory(team=answering).user, token)
    return round_close(round=round_)


def test_closing_a_round_shows_its_results_and_charts_at_once(client_for, member, team, model):
    close_round_answered(model, team, "2", "First")
    client = client_for(member)
    before = client.get("/teams/checkout/")
    assert before.context["results"].round.name == "First"
    close_round_answered(model, team, "5", "Second")
    after = client.get("/teams/checkout/")
    assert after.context["results"].round.name == "Second"
    assert after.context["charts"]["radar"].svg != before.context["charts"]["radar"].svg
    assert "Second" in after.context["charts"]["trend"].table.columns or any(
        "Second" in row for row in after.context["charts"]["trend"].table.rows
    )


def test_a_reported_deployment_shows_on_the_team_dashboard_at_once(client_for, member, team, model):
    close_round_answered(model, team, "4", "First")
    client = client_for(member)
    assert client.get("/teams/checkout/").context["delivery"].window.deployments == 0
    raw = tokens.generate()
    ApiTokenFactory(team=team, raw=raw)
    now = timezone.now()
    response = Client().post(
        "/api/v1/deployments",
        {
            "service": "web",
            "environment": "production",
            "status": "success",
            "deployed_at": now.isoformat(),
            "first_commit_at": (now - timedelta(hours=2)).isoformat(),
            "external_id": "fresh-1",
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201
    delivery = client.get("/teams/checkout/").context["delivery"]
    assert delivery.window.deployments == 1
    assert delivery.months[-1].deployments == 1


def test_the_org_scatter_follows_new_deployments(client_for, staff, team, other_team, model):
    make_scored_history(model=model, teams=[team, other_team], rounds=2)
    DeploymentFactory(team=team)
    client = client_for(staff)
    first = client.get("/org/").context["culture_delivery_rows"]
    assert [row[0] for row in first] == ["Checkout"]
    DeploymentFactory(team=other_team)
    second = client.get("/org/").context["culture_delivery_rows"]
    assert [row[0] for row in second] == ["Checkout", "Ledger"]


def test_org_heatmap_queries_do_not_grow_with_teams_rounds_or_deployments(
    client_for, member, team, model, django_assert_max_num_queries
):
    teams = [team] + [TeamFactory(group=team.group) for _ in range(12)]
    make_scored_history(model=model, teams=teams, rounds=6)
    for other in teams:
        DeploymentFactory(team=other)
        DeploymentFactory(team=other, deployed_at=timezone.now() - timedelta(days=3))
    client = client_for(member)
    for _ in range(2):  # cold, then with the caches filled
        with django_assert_max_num_queries(21):
            assert client.get("/org/").status_code == 200


def test_team_dashboard_queries_do_not_grow_with_deployments(
    client_for, member, team, model, django_assert_max_num_queries
):
    make_scored_history(model=model, teams=[team], rounds=6)
    for day in range(30):
        DeploymentFactory(team=team, deployed_at=timezone.now() - timedelta(days=day, hours=1))
    client = client_for(member)
    for _ in range(2):
        with django_assert_max_num_queries(21):
            assert client.get("/teams/checkout/").status_code == 200


def test_org_heatmap_and_trend_show_a_closed_round_at_once(client_for, staff, team):
    model = make_model(points=5, reverse_last=False, name="Plain")
    others = [TeamFactory(), TeamFactory()]
    close_round_answered(model, team, "2", "First", others=[(t, "3") for t in others])
    client = client_for(staff)
    first = client.get("/org/")
    assert first.context["heatmap"].round.name == "First"
    close_round_answered(model, team, "5", "Second", others=[(t, "3") for t in others])
    second = client.get("/org/")
    checkout = next(row for row in first.context["heatmap"].rows if row.team == team)
    assert checkout.index == 25
    assert second.context["heatmap"].round.name == "Second"
    row = next(row for row in second.context["heatmap"].rows if row.team == team)
    assert row.index == 100 and row.delta == pytest.approx(75.0)
    assert [cell for cell in second.context["trend_chart"].table.rows if "Second" in cell[0]]


def test_org_aggregates_are_read_once_while_no_round_closes(client_for, member, team, other_team, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_scored_history(model=model, teams=[team, other_team], rounds=3)
    client = client_for(member)
    with CaptureQueriesContext(connection) as cold:
        client.get("/org/")
    with CaptureQueriesContext(connection) as warm:
        client.get("/org/")
    scores = [
        q["sql"] for q in warm.captured_queries if "dimensionscore" in q["sql"] or "teamscore" in q["sql"]
    ]
    assert scores == [] and len(warm.captured_queries) < len(cold.captured_queries)


def test_rebuilding_scores_stamps_the_round_so_org_caches_drop(team, model):
    from assessments.results import scores_version
    from assessments.services import scores_store

    round_ = close_round_answered(model, team, "4", "First")
    before = scores_version([round_])
    scores_store(round=round_)
    round_.refresh_from_db()
    assert scores_version([round_]) != before


def test_a_deleted_team_leaves_the_cached_heatmap(client_for, staff, team, other_team, model):
    make_scored_history(model=model, teams=[team, other_team], rounds=2)
    client = client_for(staff)
    assert len(client.get("/org/").context["heatmap"].rows) == 2
    other_team.delete()
    assert [row.team.slug for row in client.get("/org/").context["heatmap"].rows] == ["checkout"]


def test_a_renamed_team_shows_its_new_name_in_the_cached_heatmap(client_for, staff, team, other_team, model):
    make_scored_history(model=model, teams=[team, other_team], rounds=2)
    client = client_for(staff)
    client.get("/org/")
    other_team.name = "General Ledger"
    other_team.save()
    names = {row.team.name for row in client.get("/org/").context["heatmap"].rows}
    assert "General Ledger" in names


def test_org_median_on_the_team_dashboard_follows_a_rebuild(client_for, member, outsider, team, other_team):
    from statistics import median

    from assessments.models import DimensionScore
    from assessments.services import scores_store

    model = make_model(points=5, reverse_last=False, name="Plain")
    others = [(TeamFactory(), "2"), (TeamFactory(), "5")]
    round_ = close_round_answered(model, other_team, "4", "First", others=others)
    round_.teams.add(team)
    ledger = client_for(outsider).get("/teams/ledger/").context["results"].org_median  # cached now
    assert ledger["dim-1"] == 75  # the median of 25, 75 and 100
    # A rebuild that finds other numbers (here: answers of a team added late) stamps the round.
    for _ in range(3):
        answer_all(round_, team, MembershipFactory(team=team).user, "1")
    scores_store(round=round_)
    medians = client_for(member).get("/teams/checkout/").context["results"].org_median
    assert medians != ledger
    expected = DimensionScore.objects.filter(round=round_, dimension_key="dim-1").values_list(
        "index", flat=True
    )
    assert medians["dim-1"] == pytest.approx(median(expected)) == 50
