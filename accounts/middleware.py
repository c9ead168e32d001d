"""Signed-in people whose account the identity provider ended lose access at their next request
once GEMBA_OIDC_RECHECK_SECONDS have passed since the last check; group changes apply then too."""

from __future__ import annotations

import logging
import time

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts import oidc

log = logging.getLogger(__name__)


class ProviderRecheck:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            session is not None
            and user is not None
            and user.is_authenticated
            and "oidc_access_token" in session
            and oidc.enabled()
            and time.time() - session.get("oidc_checked_at", 0) > settings.GEMBA_OIDC_RECHECK_SECONDS
        ):
            ended = self._check(request)
            if ended:
                auth.logout(request)
                messages.info(
                    request,
                    _("Your sign-in at %(name)s has ended: please sign in again.")
                    % {"name": settings.GEMBA_OIDC_NAME},
                )
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)

    def _check(self, request) -> bool:
        """True when the provider says the account or its session is gone."""
        try:
            response = requests.get(
                oidc._settings("OIDC_OP_USER_ENDPOINT"),
                headers={"Authorization": f"Bearer {request.session['oidc_access_token']}"},
                timeout=settings.OIDC_TIMEOUT,
            )
        except (requests.RequestException, oidc.ProviderDown) as down:
            # An outage does not sign everybody out: checked again at the next request.
            log.warning("identity provider unreachable for the re-check: %s", down)
            return False
        # 401 (RFC 6750), or 400/403 as some providers answer a revoked token: the session is over.
        if response.status_code in (400, 401, 403):
            return True
        if response.status_code != 200:
            return False
        try:
            claims = response.json()
        except ValueError:
            return False
        # Groups apply only when userinfo carries them: a provider that sends them in the ID token
        # alone (Entra ID) keeps the teams of the last sign-in until the next one.
        if isinstance(claims, dict) and settings.GEMBA_OIDC_GROUPS_CLAIM in claims:
            oidc.apply_groups(request.user, claims)
        request.session["oidc_checked_at"] = time.time()
        return False
