"""The org / group heatmap: content, hidden teams, sort and filter, permissions, query counts."""

from datetime import timedelta

import pytest

from tests.factories import GroupFactory, TeamFactory, make_model, make_scored_history


@pytest.fixture
def model(db):
    return make_model(points=5)


@pytest.fixture
def history(model, team, other_team):
    extra = TeamFactory(group=team.group, name="Billing", slug="billing")
    fourth = TeamFactory(group=other_team.group, name="Refunds", slug="refunds")
    return make_scored_history(
        model=model, teams=[team, other_team, extra, fourth], rounds=3, hidden={("billing", 3)}
    )


def test_heatmap_shows_index_level_and_delta_in_each_cell(client_for, staff, history):
    response = client_for(staff).get("/org/")
    assert response.status_code == 200
    heatmap = response.context["heatmap"]
    assert heatmap.round.name == "R03"
    checkout = next(row for row in heatmap.rows if row.team.slug == "checkout")
    # team 0 in round 3 (r=2): 30 + 0 + 4 + order(1) = 35 in dim-1; previous round 33
    assert checkout.cells["dim-1"].index == 35 and checkout.cells["dim-1"].delta == 2
    content = response.content.decode()
    assert "L2" in content and "+2" in content


def test_hidden_team_is_shown_as_hidden_never_as_a_number(client_for, staff, history):
    content = client_for(staff).get("/org/").content.decode()
    row = content.split("Billing", 1)[1].split("</tr>", 1)[0]
    assert "hidden: 2 responses, results need 3" in row
    assert not [n for n in ("36", "37", "38") if f">{n}<" in row]


def test_means_leave_hidden_teams_out(client_for, staff, history):
    heatmap = client_for(staff).get("/org/").context["heatmap"]
    visible = [row.index for row in heatmap.rows if not row.hidden]
    assert len(visible) == 3
    assert heatmap.mean_index == pytest.approx(sum(visible) / 3)


def test_a_member_sees_the_rows_of_their_own_teams_and_the_org_aggregates(client_for, member, history):
    response = client_for(member).get("/org/")
    heatmap = response.context["heatmap"]
    assert [row.team.slug for row in heatmap.rows] == ["checkout"]
    assert len(heatmap.scored_rows) == 3  # the aggregates still cover every team with results
    assert heatmap.mean_index is not None
    content = response.content.decode()
    assert "Ledger" not in content and "Refunds" not in content
    assert "The table shows the 1 team whose results you may open." in content


def test_org_aggregates_need_at_least_k_teams_with_results(client_for, staff, model, team, other_team):
    make_scored_history(model=model, teams=[team, other_team], rounds=2)
    response = client_for(staff).get("/org/")
    heatmap = response.context["heatmap"]
    assert len(heatmap.rows) == 2
    assert heatmap.mean_index is None and heatmap.dimension_mean("dim-1") is None
    assert set(heatmap.level_counts.values()) == {0}
    content = response.content.decode()
    assert "Org numbers need at least 3 teams with results" in content
    assert "Mean of 2 teams" not in content and "Teams per level" not in content


def test_filter_by_group_and_round(client_for, staff, history):
    response = client_for(staff).get(f"/org/?group=payments&round={history[0].pk}")
    heatmap = response.context["heatmap"]
    assert heatmap.round == history[0]
    assert {row.team.slug for row in heatmap.rows} == {"checkout", "billing"}
    assert not any(row.hidden for row in heatmap.rows)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("team", ["billing", "checkout", "ledger", "refunds"]),
        ("-team", ["refunds", "ledger", "checkout", "billing"]),
        ("dim-1", ["checkout", "ledger", "refunds", "billing"]),
        ("-overall", ["refunds", "ledger", "checkout", "billing"]),
    ],
)
def test_every_column_sorts_by_link_hidden_last(client_for, staff, history, sort, order):
    heatmap = client_for(staff).get(f"/org/?sort={sort}").context["heatmap"]
    assert [row.team.slug for row in heatmap.rows] == order


def test_sort_links_flip_direction_and_keep_filters(client_for, member, history):
    content = client_for(member).get("/org/?group=payments&sort=dim-1").content.decode()
    assert 'href="?group=payments&amp;sort=-dim-1"' in content
    assert 'aria-sort="ascending"' in content


def test_unknown_sort_and_bad_round_fall_back_without_error(client_for, member, history):
    response = client_for(member).get("/org/?sort=__class__&round=abc&group=nope")
    assert response.status_code == 200
    assert response.context["heatmap"].sort == "team"


def test_links_only_to_dashboards_the_viewer_may_open(client_for, member, history):
    content = client_for(member).get("/org/").content.decode()
    assert 'href="/teams/checkout/' in content
    assert 'href="/teams/ledger/' not in content


def test_any_signed_in_user_sees_the_org_but_not_anonymous(client_for, outsider, client, history):
    assert client_for(outsider).get("/org/").status_code == 200
    client.logout()
    assert client.get("/org/").status_code == 302


def test_post_is_405(client_for, member):
    assert client_for(member).post("/org/").status_code == 405


def test_empty_state_guides(client_for, member):
    assert "No round has closed yet" in client_for(member).get("/org/").content.decode()


def test_charts_are_on_the_page(client_for, member, history):
    content = client_for(member).get("/org/").content.decode()
    assert "Org index over rounds" in content and "Teams per level" in content


@pytest.mark.parametrize("scale", [1, 2])
def test_org_query_count_does_not_grow(client_for, member, model, scale, django_assert_max_num_queries):
    teams = [TeamFactory(group=GroupFactory()) for _ in range(30 * scale)]
    make_scored_history(model=model, teams=teams, rounds=12 * scale)
    client = client_for(member)
    with django_assert_max_num_queries(21):
        assert client.get("/org/").status_code == 200
    with django_assert_max_num_queries(21):
        assert client.get("/org/?sort=-dim-2").status_code == 200


@pytest.mark.parametrize("scale", [1, 2])
def test_team_dashboard_query_count_does_not_grow(
    client_for, member, team, model, scale, django_assert_max_num_queries
):
    teams = [team, *[TeamFactory(group=GroupFactory()) for _ in range(30 * scale - 1)]]
    make_scored_history(model=model, teams=teams, rounds=12 * scale)
    client = client_for(member)
    with django_assert_max_num_queries(21):
        assert client.get("/teams/checkout/").status_code == 200


def test_a_leads_one_team_round_never_becomes_the_orgs_default(
    client_for, member, staff, model, history, team
):
    """A lead's round for their own team, closed after the org round, stays out of the default view."""
    from assessments.services import round_close
    from tests.factories import MembershipFactory, answer_all, make_round

    own = make_round(model=model, teams=[team], name="Checkout only")
    for _ in range(3):
        answer_all(own, team, MembershipFactory(team=team).user, "4")
    round_close(round=own)
    for persona in (member, staff):
        response = client_for(persona).get("/org/")
        assert response.context["heatmap"].round.name == "R03"
    # Chosen on purpose it shows, with the team's row but no org numbers from one team.
    heatmap = client_for(staff).get(f"/org/?round={own.pk}").context["heatmap"]
    assert [row.team.slug for row in heatmap.rows] == ["checkout"]
    assert heatmap.mean_index is None and not heatmap.has_aggregates
    content = client_for(member).get("/org/heatmap.csv").getvalue().decode()
    assert "Checkout only" not in content and "checkout" in content
    # The team's radar: no "org median" out of its own one-team round.
    assert client_for(member).get(f"/teams/checkout/?round={own.pk}").context["results"].org_median == {}


def test_a_group_defaults_to_the_newest_round_covering_most_of_it(client_for, manager, model, history, team):
    from assessments.services import round_close
    from tests.factories import MembershipFactory, answer_all, make_round

    billing = history[0].teams.get(slug="billing")
    both = make_round(model=model, teams=[team, billing], name="Payments pulse")
    for answering in (team, billing):
        for _ in range(3):
            answer_all(both, answering, MembershipFactory(team=answering).user, "4")
    round_close(round=both)
    assert client_for(manager).get("/org/?group=payments").context["heatmap"].round.name == "Payments pulse"
    assert (
        client_for(manager).get("/org/").context["heatmap"].round.name == "R03"
    )  # 2 of 4 teams: not the org's


def test_dont_know_from_all_but_one_breaks_no_org_page(client_for, member, lead, staff, team):
    """k = k_detail = 3: one person on the scale, two "don't know" to everything (issue 12)."""
    from assessments.services import round_close
    from tests.factories import MembershipFactory, answer_all, make_round

    round_ = make_round(model=make_model(points=7), teams=[team], k=3, k_detail=3)
    answer_all(round_, team, MembershipFactory(team=team).user, "6")
    answer_all(round_, team, MembershipFactory(team=team).user, "dk")
    answer_all(round_, team, MembershipFactory(team=team).user, "dk")
    round_close(round=round_)
    for persona in (member, lead, staff):
        client = client_for(persona)
        for url in (
            "/org/",
            f"/org/?round={round_.pk}",
            "/org/heatmap.csv",
            f"/api/v1/rounds/{round_.pk}/scores",
        ):
            assert client.get(url).status_code == 200, url
    content = client_for(staff).get(f"/org/?round={round_.pk}").content.decode()
    assert "hidden: 3 responses, but fewer than 3 answered any dimension on the scale" in content


def test_the_culture_delivery_scatter_shows_only_teams_the_viewer_may_open(
    client_for, member, staff, history
):
    from delivery.metrics import teams_performance
    from teams.models import Team
    from tests.delivery.factories import DeploymentFactory

    for team in Team.objects.all():
        DeploymentFactory(team=team)
    assert all(p.score is not None for p in teams_performance(list(Team.objects.all())))
    mine = client_for(member).get("/org/").context["culture_delivery_rows"]
    assert [row[0] for row in mine] == ["Checkout"]
    everyone = client_for(staff).get("/org/").context["culture_delivery_rows"]
    assert len(everyone) == 3  # billing is hidden in R03


def test_culture_is_plotted_against_throughput_and_instability_with_counts(client_for, staff, history):
    from teams.models import Team
    from tests.delivery.factories import DeploymentFactory, IncidentFactory

    for team in Team.objects.all():
        deployment = DeploymentFactory(team=team)
        DeploymentFactory(team=team, deployed_at=deployment.deployed_at - timedelta(days=2))
        IncidentFactory(
            team=team, caused_by=deployment, started_at=deployment.deployed_at + timedelta(minutes=5)
        )
    response = client_for(staff).get("/org/")
    html = response.content.decode()
    assert "Culture and throughput" in html and "Culture and instability" in html
    assert "These charts show association, not cause" in html
    rows = response.context["culture_delivery_rows"]
    # team, culture, survey responses, throughput, instability (%), deployments: each point's counts.
    assert all(row[2] > 0 and row[5] == 2 for row in rows)
    assert all(row[4] == 25.0 for row in rows)  # 1 of 2 needed remediation, no rework: (50 + 0) / 2
    assert response.context["culture_measure"] in {"westrum", "maturity"}


def test_the_culture_measure_can_be_overall_maturity(client_for, staff, history):
    from teams.models import Team
    from tests.delivery.factories import DeploymentFactory

    for team in Team.objects.all():
        DeploymentFactory(team=team)
    by_maturity = client_for(staff).get("/org/?culture=maturity").context
    assert by_maturity["culture_measure"] == "maturity"
    heatmap = by_maturity["heatmap"]
    index = {row.team.name: row.index for row in heatmap.visible_rows}
    assert all(row[1] == index[row[0]] for row in by_maturity["culture_delivery_rows"])
    # An unknown measure falls back to the default, never a 500.
    assert client_for(staff).get("/org/?culture=%00").status_code == 200


# --- A large org opens on its groups ---------------------------------------------------------


@pytest.fixture
def groups_of_teams(model, settings):
    """Two groups of four teams with results, one of three with one team below k, one of two:
    the org opens on groups from more than five teams."""
    settings.GEMBA_ORG_TEAMS_AT_ONCE = 5
    big, mixed, small = (GroupFactory(name=n, slug=n.lower()) for n in ("Big", "Mixed", "Small"))
    teams = [TeamFactory(group=big, slug=f"big-{n}", name=f"Big {n}") for n in range(4)]
    teams += [TeamFactory(group=mixed, slug=f"mixed-{n}", name=f"Mixed {n}") for n in range(3)]
    teams += [TeamFactory(group=small, slug=f"small-{n}", name=f"Small {n}") for n in range(2)]
    rounds = make_scored_history(model=model, teams=teams, rounds=2, hidden={("mixed-2", 2)})
    return rounds, {team.slug: team for team in teams}


def test_a_large_org_opens_on_a_row_per_group_with_its_teams_means(client_for, member, groups_of_teams):
    rounds, teams = groups_of_teams
    response = client_for(member).get("/org/")
    heatmap = response.context["heatmap"]
    assert heatmap.by_groups
    rows = {row.group.slug: row for row in heatmap.group_rows}
    every = client_for(member).get("/org/?view=teams").context["heatmap"]
    big = [row for row in every.all_rows if row.team.group.slug == "big"]
    assert rows["big"].index == pytest.approx(sum(row.index for row in big) / 4)
    assert rows["big"].cells["dim-1"].index == pytest.approx(sum(row.cells["dim-1"].index for row in big) / 4)
    content = response.content.decode()
    assert f'href="?group=big&amp;round={rounds[-1].pk}"' in content
    assert "Show every team instead" in content


def test_a_group_with_fewer_than_k_teams_with_results_shows_no_number(client_for, member, groups_of_teams):
    response = client_for(member).get("/org/")
    rows = {row.group.slug: row for row in response.context["heatmap"].group_rows}
    # Mixed: two of three teams have results (k = 3); Small: two teams at all.
    assert rows["mixed"].hidden and rows["mixed"].index is None and rows["mixed"].cells == {}
    assert rows["small"].hidden and rows["small"].index is None
    content = response.content.decode()
    assert "2 of 3 teams have results; group numbers need 3" in content


def test_a_group_is_the_way_into_its_teams_and_every_team_can_be_asked_for(
    client_for, staff, groups_of_teams
):
    inside = client_for(staff).get("/org/?group=big").context["heatmap"]
    assert not inside.by_groups and {row.team.slug for row in inside.rows} == {f"big-{n}" for n in range(4)}
    every = client_for(staff).get("/org/?view=teams").context["heatmap"]
    assert not every.by_groups and len(every.rows) == 9


def test_groups_sort_by_any_column_hidden_ones_last(client_for, staff, groups_of_teams):
    by_name = client_for(staff).get("/org/?sort=-team").context["heatmap"]
    assert [row.group.slug for row in by_name.group_rows] == ["small", "mixed", "big"]
    by_index = client_for(staff).get("/org/?sort=-overall").context["heatmap"]
    assert [row.group.slug for row in by_index.group_rows] == ["big", "mixed", "small"]


def test_a_large_org_plots_a_dot_per_group_of_at_least_k_teams(client_for, member, groups_of_teams):
    from tests.delivery.factories import DeploymentFactory

    _rounds, teams = groups_of_teams
    for team in teams.values():
        DeploymentFactory(team=team)
        DeploymentFactory(team=team)
    response = client_for(member).get("/org/?culture=maturity")
    every = client_for(member).get("/org/?view=teams").context["heatmap"]
    big = [row for row in every.scored_rows if row.team.group.slug == "big"]
    # Mixed has two teams with results and Small two teams: fewer than k = 3, so no dot.
    [dot] = response.context["culture_delivery_rows"]
    assert (dot.name, dot.teams, dot.deployments) == ("Big", 4, 8)
    assert dot.culture == pytest.approx(sum(row.index for row in big) / 4)
    assert dot.responses == sum(row.responses for row in big)
    content = response.content.decode()
    assert "Each dot is a group" in content and "Which dot is which group" in content
    assert "1 group, each the mean of its teams." in content


def test_the_group_rows_follow_a_renamed_group_and_a_moved_team(client_for, staff, groups_of_teams):
    from teams.models import Group

    _rounds, teams = groups_of_teams
    client = client_for(staff)
    assert ">Big</a>" in client.get("/org/").content.decode()
    Group.objects.filter(slug="big").update(name="Large")
    assert ">Large</a>" in client.get("/org/").content.decode()
    # A team moved from Mixed to Small: Mixed's two left both have results, Small has three teams.
    teams["mixed-0"].group = Group.objects.get(slug="small")
    teams["mixed-0"].save()
    rows = {row.group.slug: row for row in client.get("/org/").context["heatmap"].group_rows}
    assert (rows["mixed"].teams, rows["small"].teams) == (2, 3)
    assert not rows["small"].hidden


def test_names_sort_as_people_read_them(client_for, staff, groups_of_teams):
    for name in ("Unit 10", "Unit 2", "unit 1"):
        GroupFactory(name=name, slug=name.lower().replace(" ", "-"))
    heatmap = client_for(staff).get("/org/?view=teams&sort=-team").context["heatmap"]
    assert [g.name for g in heatmap.groups][-3:] == ["unit 1", "Unit 2", "Unit 10"]
    assert [row.name for row in heatmap.rows][:2] == ["Small 1", "Small 0"]
