"""Delivery admin: lists with filters; API tokens read-only, never showing hash or token, revocable."""

from django.urls import reverse

from delivery.models import ApiToken
from tests.delivery.factories import ApiTokenFactory, DeploymentFactory, IncidentFactory


def test_changelists_load_and_filter(client_for, staff, team):
    deployment = DeploymentFactory(team=team, external_id="gh-1")
    IncidentFactory(team=team, caused_by=deployment, external_id="inc-1")
    client = client_for(staff)
    assert b"gh-1" in client.get("/admin/delivery/deployment/?status__exact=success&q=gh").content
    assert b"inc-1" in client.get("/admin/delivery/incident/?resolved_at__isempty=0").content


def test_token_admin_never_shows_the_hash_and_cannot_add(client_for, staff, team):
    token = ApiTokenFactory(team=team, name="CI")
    client = client_for(staff)
    changelist = client.get("/admin/delivery/apitoken/").content.decode()
    change = client.get(reverse("admin:delivery_apitoken_change", args=[token.pk])).content.decode()
    for html in (changelist, change):
        assert token.token_hash not in html
        assert token.shown_part in html
    assert 'name="token_hash"' not in change
    assert 'name="name"' in change
    assert client.get("/admin/delivery/apitoken/add/").status_code == 403


def test_token_admin_revokes_selected_tokens(client_for, staff, team):
    active, other = ApiTokenFactory.create_batch(2, team=team)
    response = client_for(staff).post(
        "/admin/delivery/apitoken/", {"action": "revoke", "_selected_action": [active.pk]}, follow=True
    )
    assert "1 token revoked." in response.content.decode()
    assert ApiToken.objects.get(pk=active.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
