def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/"


def test_home_lists_my_teams_with_my_role(client_for, member, other_team):
    from teams.models import Membership
    from tests.factories import MembershipFactory

    MembershipFactory(user=member, team=other_team, role=Membership.Role.LEAD)
    response = client_for(member).get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Checkout" in content and "Ledger" in content
    assert [(t["membership"].team.slug, t["membership"].role) for t in response.context["teams"]] == [
        ("checkout", "member"),
        ("ledger", "lead"),
    ]


def test_home_guides_a_user_without_teams(client_for, staff):
    response = client_for(staff).get("/")
    assert b"You are not in any team yet" in response.content


def test_home_refuses_post(client_for, member):
    assert client_for(member).post("/").status_code == 405


def test_navigation_shows_admin_to_staff_only(client_for, member, staff):
    assert b'href="/admin/"' not in client_for(member).get("/").content
    assert b'href="/admin/"' in client_for(staff).get("/").content


def test_navigation_offers_sign_out_as_a_form(client_for, member):
    content = client_for(member).get("/").content.decode()
    assert '<form method="post" action="/accounts/logout/"' in content


def test_pages_load_nothing_from_another_host(client_for, member):
    import re

    content = client_for(member).get("/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', content)
    assert sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]


def test_group_manager_without_a_team_sees_the_groups_they_lead(client_for, manager, team, group):
    from tests.factories import TeamFactory

    TeamFactory(group=group, name="Billing", slug="billing")
    TeamFactory(group=group, name="Retired", slug="retired", active=False)
    content = client_for(manager).get("/").content.decode()
    assert "You are not in any team yet" not in content
    assert "Groups I lead" in content
    assert 'href="/org/?group=payments"' in content
    assert 'href="/teams/checkout/"' in content and 'href="/teams/billing/"' in content
    assert "/teams/retired/" not in content
    assert "2 teams: compare them on the group dashboard" in content


def test_home_of_a_group_manager_keeps_its_queries_few(
    client_for, manager, group, django_assert_max_num_queries
):
    from tests.factories import TeamFactory

    client = client_for(manager)
    client.get("/")
    for n in range(5):
        TeamFactory(group=group, name=f"Team {n}", slug=f"team-{n}")
    with django_assert_max_num_queries(15):
        assert client.get("/").status_code == 200
