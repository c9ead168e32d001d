"""The team's delivery rules page: a dry run says what would move; saving applies and says how much moved."""

from datetime import timedelta

from django.utils import timezone

from delivery.models import DeliveryRules, Deployment, ServiceRoute
from tests.delivery.factories import DeploymentFactory
from tests.factories import TeamFactory

URL = "/teams/checkout/delivery/rules/"


def form(**changes) -> dict:
    data = {
        "production": "production\nprod",
        "rework_labels": "rework\nhotfix",
        "rework_branches": "hotfix/*",
        "rework_titles": "revert*",
        "deploy_workflows": "",
        "link_window_hours": "24",
        "routes": "",
    }
    return {**data, **changes}


def test_the_page_shows_the_rules_in_force(client_for, lead, team):
    response = client_for(lead).get(URL)
    assert response.status_code == 200
    assert "The team follows the defaults" in response.content.decode()


def test_a_dry_run_lists_what_would_move_and_changes_nothing(client_for, lead, team):
    DeploymentFactory(
        team=team, environment="prod-eu", is_production=False, deployed_at=timezone.now() - timedelta(days=2)
    )
    response = client_for(lead).post(URL, {**form(production="production\nprod-*"), "preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dry run: 1 change if you save" in html
    assert "not production → production" in html
    assert not DeliveryRules.objects.exists()
    assert not Deployment.objects.get().is_production


def test_saving_applies_the_rules_to_what_is_stored(client_for, lead, team):
    DeploymentFactory(
        team=team, environment="prod-eu", is_production=False, deployed_at=timezone.now() - timedelta(days=2)
    )
    DeploymentFactory(team=team, ref="hotfix/oops", deployed_at=timezone.now() - timedelta(days=1))
    response = client_for(lead).post(URL, {**form(production="production\nprod-*"), "save": "1"}, follow=True)
    assert "The rules are saved and applied: 2 changes to stored records." in response.content.decode()
    rules = DeliveryRules.objects.get(team=team)
    assert rules.production == "production\nprod-*"
    assert Deployment.objects.get(environment="prod-eu").is_production
    hotfix = Deployment.objects.get(ref="hotfix/oops")
    assert hotfix.is_rework and "branch “hotfix/oops” matches “hotfix/*”" in hotfix.placed_by


def test_routes_are_written_one_per_line_to_teams_the_lead_leads(client_for, lead, manager, team, group):
    other = TeamFactory(group=group, slug="billing", name="Billing")
    bad = client_for(lead).post(URL, {**form(routes="acme/shop:billing/* -> billing"), "save": "1"})
    assert "“billing” is not a team you lead" in bad.content.decode()
    assert not ServiceRoute.objects.exists()
    ok = client_for(manager).post(
        URL, {**form(routes="acme/shop:billing/* -> billing as billing-api"), "save": "1"}
    )
    assert ok.status_code == 302
    route = ServiceRoute.objects.get()
    assert (route.pattern, route.team, route.service) == ("acme/shop:billing/*", other, "billing-api")
    page = client_for(manager).get(URL).content.decode()
    assert "acme/shop:billing/* -&gt; billing as billing-api" in page


def test_bad_rules_get_form_errors_and_nothing_is_saved(client_for, lead, team):
    for data in [form(production=""), form(link_window_hours="9999"), form(routes="no arrow here")]:
        response = client_for(lead).post(URL, {**data, "save": "1"})
        assert response.status_code == 200
        assert "is-invalid" in response.content.decode() or "invalid-feedback" in response.content.decode()
    assert not DeliveryRules.objects.exists()


def test_a_team_in_a_group_with_rules_starts_from_them(client_for, lead, team, group):
    DeliveryRules.objects.create(group=group, production="production\nlive-*")
    response = client_for(lead).get(URL)
    assert "follows the rules of group" in response.content.decode()
    assert response.context["form"].initial.get("production") == "production\nlive-*" or (
        response.context["form"].instance.production == "production\nlive-*"
    )


def test_members_may_not_change_rules(client_for, member, team):
    assert client_for(member).get(URL).status_code == 403
    assert client_for(member).post(URL, {**form(), "save": "1"}).status_code == 403
    assert not DeliveryRules.objects.exists()
