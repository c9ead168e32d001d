"""Leads create (and see once), list and revoke their team's API tokens on the delivery page."""

import re

import pytest

from delivery import tokens
from delivery.models import ApiToken
from tests.delivery.factories import ApiTokenFactory

CREATE = "/teams/checkout/delivery/tokens/"


def test_lead_creates_a_token_and_sees_it_once(client_for, lead, team):
    client = client_for(lead)
    response = client.post(CREATE, {"name": "GitHub Actions"})
    assert response.status_code == 200
    raw = response.context["raw_token"]
    assert raw in response.content.decode()
    assert "no-store" in response.headers["Cache-Control"] or "no-cache" in response.headers["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.team, token.name, token.created_by) == (team, "GitHub Actions", lead)
    assert token.token_hash == tokens.digest(raw) and raw not in token.token_hash
    # Later the list shows only its start.
    page = client.get("/teams/checkout/delivery/").content.decode()
    assert token.shown_part in page and raw not in page


def test_the_new_token_works_at_once(client_for, client, lead, team):
    raw = client_for(lead).post(CREATE, {"name": "CI"}).context["raw_token"]
    client.logout()
    response = client.get("/api/v1/teams/checkout/metrics", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_blank_name_creates_nothing_and_says_why(client_for, lead):
    response = client_for(lead).post(CREATE, {"name": "  "}, follow=True)
    assert response.redirect_chain[-1][0] == "/teams/checkout/delivery/"
    assert "The token was not created" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_member_may_not_create_tokens(client_for, member):
    assert client_for(member).post(CREATE, {"name": "CI"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_outsider_gets_404(client_for, outsider, team):
    assert client_for(outsider).post(CREATE, {"name": "CI"}).status_code == 404
    assert not ApiToken.objects.exists()


def test_group_manager_may_create_tokens(client_for, manager, team):
    assert client_for(manager).post(CREATE, {"name": "CI"}).status_code == 200


def test_get_on_create_is_405(client_for, lead):
    assert client_for(lead).get(CREATE).status_code == 405


def test_lead_revokes_a_token(client_for, lead, team):
    token = ApiTokenFactory(team=team)
    response = client_for(lead).post(f"/teams/checkout/delivery/tokens/{token.pk}/revoke/", follow=True)
    assert response.redirect_chain[-1][0] == "/teams/checkout/delivery/"
    assert "is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoking_another_teams_token_is_404(client_for, lead, other_team):
    token = ApiTokenFactory(team=other_team)
    assert client_for(lead).post(f"/teams/checkout/delivery/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(("persona", "status"), [("member", 403), ("outsider", 404)])
def test_only_leads_revoke(client_for, request, team, persona, status):
    token = ApiTokenFactory(team=team)
    response = client_for(request.getfixturevalue(persona)).post(
        f"/teams/checkout/delivery/tokens/{token.pk}/revoke/"
    )
    assert response.status_code == status
    token.refresh_from_db()
    assert token.revoked_at is None


def test_get_on_revoke_is_405(client_for, lead, team):
    token = ApiTokenFactory(team=team)
    assert client_for(lead).get(f"/teams/checkout/delivery/tokens/{token.pk}/revoke/").status_code == 405


def test_try_it_example_is_dated_inside_the_90_day_window(client_for, lead, team):
    from datetime import datetime, timedelta

    from django.utils import timezone

    content = client_for(lead).post(CREATE, {"name": "CI"}).content.decode()
    deployed = datetime.fromisoformat(re.search(r'"deployed_at": "([^"]+)"', content).group(1))
    committed = datetime.fromisoformat(re.search(r'"first_commit_at": "([^"]+)"', content).group(1))
    now = timezone.now()
    assert now - timedelta(days=90) < deployed < now and committed < deployed
    assert "2025-03-01" not in content
