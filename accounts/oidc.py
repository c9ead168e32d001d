"""OpenID Connect sign-in on mozilla-django-oidc, configured by environment variables only.

The provider's endpoints come from its discovery document (``<issuer>/.well-known/openid-
configuration``), fetched when first needed and cached, so a provider that is down never stops
Gemba from starting: the sign-in button then says so. PKCE (S256), state and nonce are used and
checked on every sign-in. Each sign-in (and each re-check, see accounts.middleware) applies the
groups claim to teams and roles (accounts.mapping, accounts.sync).
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts import mapping, provisioning
from accounts.models import ExternalAccount
from accounts.sync import memberships_sync

log = logging.getLogger(__name__)

DISCOVERY_SECONDS = 3600
# The discovery document's fields for each mozilla-django-oidc setting.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}


class ProviderDown(Exception):
    """The identity provider did not answer or answered nonsense."""


def enabled() -> bool:
    return bool(settings.GEMBA_OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def discovery() -> dict:
    """The provider's discovery document, cached for an hour. Raises ProviderDown."""
    issuer = settings.GEMBA_OIDC_ISSUER.rstrip("/")
    key = f"accounts:oidc-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        try:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderDown(str(error)) from error
        if not isinstance(document, dict) or not document.get("authorization_endpoint"):
            raise ProviderDown("the discovery document names no authorization endpoint")
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def _settings(attr: str, *args):
    if attr in ENDPOINTS and getattr(settings, attr, None) is None and enabled():
        value = discovery().get(ENDPOINTS[attr])
        if value:
            return value
        if args:
            return args[0]
        raise ProviderDown(f"the discovery document has no {ENDPOINTS[attr]}")
    from mozilla_django_oidc.utils import import_from_settings

    return import_from_settings(attr, *args)


def groups_of(claims: dict) -> list[str]:
    value = claims.get(settings.GEMBA_OIDC_GROUPS_CLAIM) or []
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value if isinstance(v, str | int)][:500]


class Backend(OIDCAuthenticationBackend):
    """Finds the person by the provider's subject (never by an e-mail alone), creates them on
    their first sign-in, and applies their groups."""

    get_settings = staticmethod(_settings)

    def __init__(self, *args, **kwargs):
        # Django builds a backend on every request of a signed-in person (get_user): the
        # provider's endpoints are looked up only when a sign-in needs them.
        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: _settings("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: _settings("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: _settings("OIDC_OP_JWKS_ENDPOINT", None))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = property(lambda self: getattr(settings, "OIDC_RP_IDP_SIGN_KEY", None))

    def get_user(self, user_id):
        # Someone deactivated (by a directory import, or in the admin) is signed out at their
        # next request, like Django's own backend does.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def filter_users_by_claims(self, claims):
        subject = str(claims.get("sub") or "")
        if not subject:
            return self.UserModel.objects.none()
        found = self.UserModel.objects.filter(
            external_account__issuer=settings.GEMBA_OIDC_ISSUER, external_account__subject=subject
        )
        if found.exists():
            return found
        return self._imported(claims)

    def _imported(self, claims):
        """A person a directory import or SCIM provisioning brought, not yet linked to the
        provider, whose username is the value of GEMBA_OIDC_LINK_CLAIM: their first sign-in links
        the account (both are the organisation's own directory, so its usernames are trusted; a
        bare e-mail is not)."""
        value = str(claims.get(settings.GEMBA_OIDC_LINK_CLAIM) or "").strip()
        if not value:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(
            username__iexact=value,
            external_account__source__in=[ExternalAccount.Source.DIRECTORY, ExternalAccount.Source.SCIM],
            external_account__subject="",
            is_staff=False,  # an admin's account is never taken over by a claim
            is_superuser=False,
        )

    def _verify_jws(self, payload, key):
        # mozilla-django-oidc checks the signature and expiry but leaves out the audience and the
        # issuer (OpenID Connect Core 3.1.3.7, steps 2 and 3): a token for another client, or
        # from another issuer, is refused here.
        claims = super()._verify_jws(payload, key)
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("the ID token is for another audience")
        if str(claims.get("iss") or "").rstrip("/") != settings.GEMBA_OIDC_ISSUER:
            raise SuspiciousOperation("the ID token is from another issuer")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        # Some providers (Entra ID) put groups in the ID token only, never in userinfo.
        claims = super().get_userinfo(access_token, id_token, payload)
        name = settings.GEMBA_OIDC_GROUPS_CLAIM
        if name not in claims and name in payload:
            claims[name] = payload[name]
        return claims

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("sub"))

    def _username(self, claims) -> str:
        base = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])[:140]
        username, n = base, 1
        while self.UserModel.objects.filter(username=username).exists():
            n += 1
            username = f"{base}-{n}"
        return username

    def create_user(self, claims):
        user = self.UserModel.objects.create_user(
            self._username(claims), email=str(claims.get("email") or "")
        )
        ExternalAccount.objects.create(
            user=user,
            source=ExternalAccount.Source.OIDC,
            issuer=settings.GEMBA_OIDC_ISSUER,
            subject=str(claims["sub"]),
        )
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        ExternalAccount.objects.filter(user=user, subject="").update(
            issuer=settings.GEMBA_OIDC_ISSUER, subject=str(claims["sub"])
        )
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        user.email = str(claims.get("email") or user.email)[:254]
        user.save(update_fields=["first_name", "last_name", "email"])
        apply_groups(user, claims)
        return user

    def store_tokens(self, access_token, id_token):
        # Kept for the re-check (accounts.middleware) and the provider sign-out.
        session = self.request.session
        session["oidc_access_token"] = access_token
        session["oidc_id_token"] = id_token
        session["oidc_checked_at"] = timezone.now().timestamp()


def apply_groups(user, claims: dict) -> None:
    """Teams and roles from the groups claim, by GEMBA_OIDC_GROUP_MAP. With SCIM provisioning on,
    the provider's groups arrive through it instead (a provider sends them one way or the
    other): the person's directory groups count, so a sign-in never undoes what SCIM set."""
    rules = mapping.parse_rules(settings.GEMBA_OIDC_GROUP_MAP)
    if settings.GEMBA_SCIM_TOKEN:
        groups = provisioning.directory_group_names([user])[user.pk]
    else:
        groups = groups_of(claims)
    memberships_sync(user=user, groups=groups, rules=rules)
    ExternalAccount.objects.filter(user=user).update(last_seen_at=timezone.now())


def _failed(request, message: str):
    messages.error(request, message)
    return redirect(settings.LOGIN_URL)


class SignIn(OIDCAuthenticationRequestView):
    """Off to the provider, with state, nonce and PKCE; a clear message when it is down."""

    get_settings = staticmethod(_settings)
    http_method_names = ["get", "head"]

    def __init__(self, *args, **kwargs):
        # The endpoints are read at the request, not at start-up.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not enabled():
            return _failed(request, _("Single sign-on is not set up on this Gemba."))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        except ProviderDown as down:
            log.warning("identity provider unreachable: %s", down)
            return _failed(
                request,
                _(
                    "%(name)s does not answer right now, so sign-in with it is not possible. "
                    "Try again in a moment."
                )
                % {"name": settings.GEMBA_OIDC_NAME},
            )
        return super().get(request)


class Callback(OIDCAuthenticationCallbackView):
    """Back from the provider: a tampered state, a wrong nonce, an expired token or a provider
    that fails all end on the sign-in page with a message, never a 500."""

    get_settings = staticmethod(_settings)
    http_method_names = ["get", "head"]

    @property
    def failure_url(self):
        return resolve_url(settings.LOGIN_URL)

    def login_failure(self):
        messages.error(
            self.request,
            _(
                "Sign-in with %(name)s did not succeed. Please try again; if it keeps failing, "
                "ask your administrator."
            )
            % {"name": settings.GEMBA_OIDC_NAME},
        )
        return super().login_failure()

    def get(self, request):
        try:
            return super().get(request)
        except (SuspiciousOperation, jwt.InvalidTokenError) as refused:
            # A token past its expiry, not yet valid or for another audience is refused like a
            # tampered one (PyJWT raises these itself, past mozilla-django-oidc's own checks).
            log.warning("OIDC callback refused: %s", refused)
            return self.login_failure()
        except (requests.RequestException, ProviderDown) as down:
            log.warning("identity provider failed during sign-in: %s", down)
            return _failed(
                request,
                _("%(name)s did not answer while signing you in. Try again in a moment.")
                % {"name": settings.GEMBA_OIDC_NAME},
            )


def provider_logout_url(request) -> str | None:
    """Where to end the provider's session too (RP-initiated logout), or None."""
    id_token = request.session.get("oidc_id_token")
    if not (enabled() and id_token):
        return None
    try:
        endpoint = discovery().get("end_session_endpoint")
    except ProviderDown:
        return None
    if not endpoint:
        return None
    from urllib.parse import urlencode

    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(settings.LOGOUT_REDIRECT_URL_PATH),
        }
    )
    return f"{endpoint}?{query}"
