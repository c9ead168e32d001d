"""Signing in with a real OpenID provider: the code flow, its checks, groups to teams, the
re-check, sign-out, and a provider that is down."""

import time

import pytest
import requests

from accounts.models import ExternalAccount
from teams.models import GroupLead, Membership, Source
from tests.accounts.conftest import configure, set_claims, sign_in
from tests.factories import MembershipFactory, TeamFactory, UserFactory


def test_the_login_page_offers_the_provider_when_configured(client, sso):
    html = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme SSO" in html and 'href="/accounts/oidc/login/"' in html
    assert 'name="password"' in html  # password sign-in stays for the demo


def test_without_configuration_there_is_no_button(client, db):
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    response = client.get("/accounts/oidc/login/", follow=True)
    assert "Single sign-on is not set up" in response.content.decode()


def test_a_newcomer_signs_in_without_a_password_and_lands_in_their_teams(client, sso, team, group):
    TeamFactory(slug="billing", name="Billing", group=group)
    set_claims(sso, "alice-42", email="alice@example.com", given_name="Alice", preferred_username="alice",
               groups=["gemba-checkout-leads", "gemba-billing", "unrelated"])  # fmt: skip
    response = sign_in(client, sso, "alice-42")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    account = ExternalAccount.objects.select_related("user").get(subject="alice-42")
    user = account.user
    assert (user.username, user.email, user.first_name) == ("alice", "alice@example.com", "Alice")
    assert not user.has_usable_password()
    roles = dict(Membership.objects.filter(user=user).values_list("team__slug", "role"))
    assert roles == {"checkout": "lead", "billing": "member"}
    assert set(Membership.objects.filter(user=user).values_list("source", flat=True)) == {Source.SSO}
    assert client.get("/teams/checkout/").status_code == 200


def test_group_changes_between_two_sign_ins_move_the_person(client, sso, team, group):
    TeamFactory(slug="billing", name="Billing", group=group)
    set_claims(sso, "bob", groups=["gemba-checkout-leads", "gemba-billing", f"gemba-managers-{group.slug}"])
    sign_in(client, sso, "bob")
    user = ExternalAccount.objects.get(subject="bob").user
    assert GroupLead.objects.filter(user=user, group=group).exists()
    # Typed in the admin: stays whatever the groups say.
    ledger = TeamFactory(slug="ledger-manual", name="Ledger manual")
    MembershipFactory(user=user, team=ledger)
    client.post("/accounts/logout/")
    set_claims(sso, "bob", groups=["gemba-checkout"])
    sign_in(client, sso, "bob")
    roles = dict(Membership.objects.filter(user=user).values_list("team__slug", "role"))
    assert roles == {"checkout": "member", "ledger-manual": "member"}
    assert not GroupLead.objects.filter(user=user).exists()
    assert ExternalAccount.objects.filter(subject="bob").count() == 1


def test_an_existing_account_with_the_same_email_is_not_taken_over(client, sso, team):
    existing = UserFactory(username="carol", email="carol@example.com")
    set_claims(sso, "carol-at-idp", email="carol@example.com", preferred_username="carol")
    sign_in(client, sso, "carol-at-idp")
    created = ExternalAccount.objects.get(subject="carol-at-idp").user
    assert created != existing and created.username == "carol-2"


def test_a_tampered_state_signs_nobody_in(client, sso, team):
    set_claims(sso, "mallory", groups=["gemba-checkout"])

    def tamper(client, target):
        return target.replace("state=", "state=x")

    response = sign_in(client, sso, "mallory", tamper=tamper)
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    page = client.get("/accounts/login/").content.decode()
    assert "Sign-in with Acme SSO did not succeed" in page
    assert not ExternalAccount.objects.exists()


def test_a_wrong_nonce_signs_nobody_in(client, sso, team):
    set_claims(sso, "eve", groups=["gemba-checkout"])

    def tamper(client, target):
        session = client.session
        for state in session["oidc_states"].values():
            state["nonce"] = "not-the-nonce-the-provider-signed"
        session.save()
        return target

    response = sign_in(client, sso, "eve", tamper=tamper)
    assert response.headers["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_a_provider_that_is_down_gets_a_clear_message(client, settings, db):
    configure(settings, "http://127.0.0.1:9")  # nothing listens there
    assert client.get("/accounts/login/").status_code == 200
    response = client.get("/accounts/oidc/login/", follow=True)
    assert response.status_code == 200
    assert "Acme SSO does not answer right now" in response.content.decode()


def test_an_account_ended_at_the_provider_loses_access_after_the_recheck(client, sso, team, settings):
    set_claims(sso, "dave", groups=["gemba-checkout"])
    sign_in(client, sso, "dave")
    assert client.get("/teams/checkout/").status_code == 200
    requests.post(f"{sso}/users/dave/revoke-tokens", timeout=5)
    assert client.get("/teams/checkout/").status_code == 200  # not re-checked yet
    settings.GEMBA_OIDC_RECHECK_SECONDS = 0
    response = client.get("/teams/checkout/")
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_the_recheck_applies_group_changes(client, sso, team, settings):
    set_claims(sso, "erin", groups=["gemba-checkout-leads"])
    sign_in(client, sso, "erin")
    user = ExternalAccount.objects.get(subject="erin").user
    set_claims(sso, "erin", groups=["gemba-checkout"])
    settings.GEMBA_OIDC_RECHECK_SECONDS = 0
    assert client.get("/").status_code == 200
    assert Membership.objects.get(user=user, team=team).role == "member"


def test_an_expired_token_ends_the_session_at_the_recheck(client, settings, short_lived_provider_url, team):
    configure(settings, short_lived_provider_url)
    set_claims(short_lived_provider_url, "frank", groups=["gemba-checkout"])
    sign_in(client, short_lived_provider_url, "frank")
    time.sleep(1.5)
    settings.GEMBA_OIDC_RECHECK_SECONDS = 0
    assert client.get("/teams/checkout/").headers["Location"] == "/accounts/login/"


def test_signing_out_ends_the_provider_session_too(client, sso, team):
    set_claims(sso, "gina", groups=["gemba-checkout"])
    sign_in(client, sso, "gina")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{sso}/oauth2/end_session?id_token_hint=")
    assert (
        "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2Faccounts%2Flogin%2F"
        in response.headers["Location"]
    )
    assert "_auth_user_id" not in client.session


def test_password_sign_in_can_be_switched_off(client, sso, settings, member):
    settings.GEMBA_PASSWORD_LOGIN = False
    html = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme SSO" in html and 'name="password"' not in html
    response = client.post("/accounts/login/", {"username": "member", "password": "password"})
    assert response.status_code == 403
    assert "Password sign-in is switched off" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("groups", [None, "gemba-checkout", ["gemba-checkout", 7, {"x": 1}]])
def test_odd_group_claims_are_read_safely(client, sso, team, groups):
    set_claims(sso, "hank", groups=groups)
    assert sign_in(client, sso, "hank").status_code == 302
    user = ExternalAccount.objects.get(subject="hank").user
    expected = {"checkout"} if groups else set()
    assert set(Membership.objects.filter(user=user).values_list("team__slug", flat=True)) == expected
