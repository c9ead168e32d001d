"""The leads' side of webhooks on the team delivery page: create (shown once), set the secret, revoke."""

import pytest

from delivery.models import Webhook

URL = "/teams/checkout/delivery/webhooks/"


def test_a_lead_creates_a_webhook_and_sees_url_and_secret_once(client_for, lead, team):
    response = client_for(lead).post(URL, {"provider": "github", "name": "acme/shop"})
    assert response.status_code == 200
    webhook = Webhook.objects.get(team=team)
    html = response.content.decode()
    assert f"http://testserver/webhooks/github/{webhook.public_id}" in html
    assert response.context["secret"] in html
    assert "Deployment statuses, Workflow runs and Pushes" in html  # GitHub's own steps
    assert "no-cache" in response.headers["Cache-Control"]
    # The delivery page lists it afterwards without the secret.
    page = client_for(lead).get("/teams/checkout/delivery/").content.decode()
    assert webhook.public_id in page and response.context["secret"] not in page
    assert "none yet" in page


def test_pagerduty_creation_offers_to_paste_pagerdutys_secret(client_for, lead, team):
    response = client_for(lead).post(URL, {"provider": "pagerduty"})
    webhook = Webhook.objects.get(team=team)
    assert f'action="/teams/checkout/delivery/webhooks/{webhook.pk}/secret/"' in response.content.decode()
    set_secret = client_for(lead).post(
        f"/teams/checkout/delivery/webhooks/{webhook.pk}/secret/", {"secret": "pd-made-this-secret"}
    )
    assert set_secret.status_code == 302
    webhook.refresh_from_db()
    assert webhook.secret_sealed and "pd-made-this-secret" not in webhook.secret_sealed


@pytest.mark.parametrize("secret", ["short", "has space inside", "x" * 201])
def test_a_bad_secret_is_refused_with_a_message(client_for, lead, team, secret):
    client = client_for(lead)
    client.post(URL, {"provider": "pagerduty"})
    webhook = Webhook.objects.get(team=team)
    before = webhook.secret_sealed
    response = client.post(
        f"/teams/checkout/delivery/webhooks/{webhook.pk}/secret/", {"secret": secret}, follow=True
    )
    assert "The secret was not set" in response.content.decode()
    webhook.refresh_from_db()
    assert webhook.secret_sealed == before


def test_an_unknown_provider_is_refused_with_a_message(client_for, lead, team):
    response = client_for(lead).post(URL, {"provider": "bitbucket"}, follow=True)
    assert "The webhook was not created" in response.content.decode()
    assert not Webhook.objects.exists()


def test_revoking_works_at_once(client_for, lead, team):
    client = client_for(lead)
    client.post(URL, {"provider": "gitlab"})
    webhook = Webhook.objects.get(team=team)
    response = client.post(f"/teams/checkout/delivery/webhooks/{webhook.pk}/revoke/", follow=True)
    assert "its URL answers 401 now" in response.content.decode()
    webhook.refresh_from_db()
    assert webhook.revoked_at is not None
    assert (
        client.post(
            f"/webhooks/gitlab/{webhook.public_id}", b"{}", content_type="application/json"
        ).status_code
        == 401
    )


def test_members_and_outsiders_cannot_create(client_for, member, outsider, team):
    assert client_for(member).post(URL, {"provider": "github"}).status_code == 403
    assert client_for(outsider).post(URL, {"provider": "github"}).status_code == 404
    assert not Webhook.objects.exists()
