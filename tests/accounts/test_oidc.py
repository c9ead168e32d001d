"""Signing in with a real OpenID provider: the code flow, its checks, groups to teams, the
re-check, sign-out, and a provider that is down."""

import json
from datetime import timedelta
from time import time as time_now

import jwt
import pytest
import requests
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.importing import org_import
from accounts.models import ExternalAccount
from accounts.oidc import Backend
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


def test_an_expired_id_token_signs_nobody_in(client, settings, expired_provider_url, team):
    configure(settings, expired_provider_url)
    set_claims(expired_provider_url, "frank", groups=["gemba-checkout"])
    response = sign_in(client, expired_provider_url, "frank")
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert "Sign-in with Acme SSO did not succeed" in client.get("/accounts/login/").content.decode()
    assert not ExternalAccount.objects.exists()


def test_an_access_token_that_expires_ends_the_session_at_the_recheck(client, sso, team):
    set_claims(sso, "frank", groups=["gemba-checkout"])
    sign_in(client, sso, "frank")
    assert client.get("/teams/checkout/").status_code == 200
    # Two hours on (the provider's clock too: it runs in this process): its one-hour token has
    # expired and the re-check is due.
    with time_machine.travel(timedelta(hours=2)):
        response = client.get("/teams/checkout/")
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_provider_session_too(client, sso, team):
    set_claims(sso, "gina", groups=["gemba-checkout"])
    sign_in(client, sso, "gina")
    response = client.post("/accounts/logout/")
    # A page that moves on to the provider (a form's answer may not redirect elsewhere: CSP).
    assert response.status_code == 200
    provider_url = response.context["provider_url"]
    assert provider_url.startswith(f"{sso}/oauth2/end_session?id_token_hint=")
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2Faccounts%2Flogin%2F" in provider_url
    assert f'content="0;url={provider_url.replace("&", "&amp;")}"' in response.content.decode()
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


def test_password_sign_in_switched_off_also_closes_the_admin_form(client, sso, settings, staff):
    settings.GEMBA_PASSWORD_LOGIN = False
    staff.set_password("a-long-admin-password")
    staff.save()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.username, "password": "a-long-admin-password"}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_someone_deactivated_is_signed_out_at_their_next_request(client, sso, team):
    set_claims(sso, "ivan", groups=["gemba-checkout"])
    sign_in(client, sso, "ivan")
    assert client.get("/teams/checkout/").status_code == 200
    user = ExternalAccount.objects.get(subject="ivan").user
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    response = client.get("/teams/checkout/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login/")
    # And cannot sign in again.
    assert sign_in(client, sso, "ivan").headers["Location"] == "/accounts/login/"
    assert client.get("/teams/checkout/").status_code == 302


def test_a_person_the_directory_brought_is_linked_at_their_first_sign_in(client, sso, team):
    org_import(
        content=(
            b"record,slug,name,group,username,email,team,role\n"
            b"person,,Judy Hopps,,judy,judy@example.com,,\n"
            b"membership,,,,judy,,checkout,lead\n"
        ),
        filename="org.csv",
        dry_run=False,
    )
    imported = ExternalAccount.objects.get(user__username="judy").user
    set_claims(sso, "idp-judy-1", preferred_username="Judy", email="judy@example.com", groups=[])
    assert sign_in(client, sso, "idp-judy-1").headers["Location"] == "/"
    assert client.session["_auth_user_id"] == str(imported.pk)
    account = ExternalAccount.objects.get(user=imported)
    assert (account.source, account.subject) == (ExternalAccount.Source.DIRECTORY, "idp-judy-1")
    # The import's lead role stands (no groups claim names the team).
    assert Membership.objects.get(user=imported, team=team).role == "lead"
    assert not ExternalAccount.objects.filter(user__username__startswith="judy-").exists()


def test_an_admin_account_is_never_linked_by_a_claim(client, sso, team, staff):
    ExternalAccount.objects.create(user=staff, source=ExternalAccount.Source.DIRECTORY)
    set_claims(sso, "someone-else", preferred_username=staff.username)
    sign_in(client, sso, "someone-else")
    assert client.session["_auth_user_id"] != str(staff.pk)
    assert ExternalAccount.objects.get(user=staff).subject == ""


def test_groups_sent_only_in_the_id_token_apply_and_a_recheck_without_them_keeps_the_teams(
    client, sso, team, settings, monkeypatch
):
    """Entra ID puts groups in the ID token, never in userinfo."""
    userinfo = OIDCAuthenticationBackend.get_userinfo

    def without_groups(self, *args):
        claims = userinfo(self, *args)
        claims.pop("groups", None)
        return claims

    monkeypatch.setattr(OIDCAuthenticationBackend, "get_userinfo", without_groups)
    set_claims(sso, "kim", groups=["gemba-checkout-leads"])
    sign_in(client, sso, "kim")
    user = ExternalAccount.objects.get(subject="kim").user
    assert Membership.objects.get(user=user, team=team).role == "lead"

    fetch = requests.get

    def userinfo_without_groups(*args, **kwargs):
        response = fetch(*args, **kwargs)
        claims = response.json()
        claims.pop("groups", None)
        response._content = json.dumps(claims).encode()
        return response

    monkeypatch.setattr("accounts.middleware.requests.get", userinfo_without_groups)
    settings.GEMBA_OIDC_RECHECK_SECONDS = 0
    assert client.get("/teams/checkout/").status_code == 200
    assert Membership.objects.get(user=user, team=team).role == "lead"


@pytest.mark.parametrize(
    ("claims", "refused"),
    [
        ({"aud": "gemba", "iss": "https://sso.example.com"}, None),
        ({"aud": ["other", "gemba"], "iss": "https://sso.example.com/"}, None),
        ({"aud": "another-client", "iss": "https://sso.example.com"}, "another audience"),
        ({"iss": "https://sso.example.com"}, "another audience"),
        ({"aud": "gemba", "iss": "https://evil.example.com"}, "another issuer"),
    ],
)
def test_an_id_token_for_another_client_or_issuer_is_refused(settings, claims, refused):
    settings.GEMBA_OIDC_ISSUER = "https://sso.example.com"
    settings.OIDC_RP_CLIENT_ID = "gemba"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode({"sub": "x", "exp": time_now() + 300, **claims}, key, algorithm="RS256")
    backend = Backend()
    if refused is None:
        assert backend._verify_jws(token.encode(), key.public_key())["sub"] == "x"
    else:
        with pytest.raises(SuspiciousOperation, match=refused):
            backend._verify_jws(token.encode(), key.public_key())


def test_a_person_scim_brought_signs_in_to_the_same_account_and_keeps_the_teams_its_groups_gave(
    client, sso, team, settings
):
    settings.GEMBA_SCIM_TOKEN = "scim-token-for-the-sign-in-test"
    scim = {"HTTP_AUTHORIZATION": "Bearer scim-token-for-the-sign-in-test"}
    person = client.post(
        "/scim/v2/Users",
        json.dumps({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "nick"}),
        content_type="application/scim+json",
        **scim,
    ).json()
    client.post(
        "/scim/v2/Groups",
        json.dumps(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "gemba-checkout-leads",
                "members": [{"value": person["id"]}],
            }
        ),
        content_type="application/scim+json",
        **scim,
    )
    # The provider sends no groups claim: with SCIM on, the directory groups count.
    set_claims(sso, "idp-nick-1", preferred_username="nick", email="nick@example.com")
    assert sign_in(client, sso, "idp-nick-1").headers["Location"] == "/"
    assert client.session["_auth_user_id"] == person["id"]
    account = ExternalAccount.objects.get(user_id=person["id"])
    assert (account.source, account.subject) == (ExternalAccount.Source.SCIM, "idp-nick-1")
    assert Membership.objects.get(user_id=person["id"], team=team).role == "lead"
