"""Sign-in and sign-out pages: the password form (unless switched off) and "Sign in with …"."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts import oidc


class SignIn(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_name"] = settings.GEMBA_OIDC_NAME if oidc.enabled() else ""
        context["password_login"] = settings.GEMBA_PASSWORD_LOGIN
        return context

    def post(self, request, *args, **kwargs):
        if not settings.GEMBA_PASSWORD_LOGIN:
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Password sign-in is switched off here: sign in with %(name)s.")
                % {"name": settings.GEMBA_OIDC_NAME},
            )
            return self.render_to_response(self.get_context_data(form=form), status=403)
        return super().post(request, *args, **kwargs)


class SignOut(auth_views.LogoutView):
    """Sign out of Gemba and, where the provider supports it, end its session too."""

    def post(self, request, *args, **kwargs):
        provider = oidc.provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        if not provider:
            return response
        # A page that moves on to the provider, not a redirect: the Content-Security-Policy's
        # form-action 'self' rightly forbids a form's answer to send the browser elsewhere.
        return render(
            request,
            "registration/signed_out_provider.html",
            {"provider_url": provider, "sso_name": settings.GEMBA_OIDC_NAME},
        )
