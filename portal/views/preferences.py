"""A person's language and time zone: the settings page, the language chooser of the navigation
(for everyone, signed in or not) and the time zone a browser reports at the first visit."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.middleware import LANGUAGE_KEY, ZONE_KEY
from teams.forms import LanguageForm, PreferencesForm, TimeZoneForm
from teams.preferences import preferences_of, preferences_set


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _speak(request: HttpRequest, response: HttpResponse, language: str) -> None:
    """This response and the pages after it in ``language`` ("" : the browser's)."""
    if language:
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, samesite=settings.LANGUAGE_COOKIE_SAMESITE)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Language and time zone, remembered for the person on every device."""
    saved = preferences_of(request.user)
    form = PreferencesForm(
        request.POST or None, initial={"language": saved.language, "time_zone": saved.time_zone}
    )
    if request.method == "POST" and form.is_valid():
        language, zone = form.cleaned_data["language"], form.cleaned_data["time_zone"]
        preferences_set(user=request.user, language=language, time_zone=zone)
        request.session[LANGUAGE_KEY], request.session[ZONE_KEY] = language, zone
        response = HttpResponseRedirect(reverse("preferences"))
        _speak(request, response, language)
        messages.success(request, _("Your settings are saved."))
        return response
    return render(
        request,
        "portal/preferences.html",
        {"form": form, "password_usable": request.user.has_usable_password()},
        status=400 if form.errors else 200,
    )


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The navigation's language chooser: for everyone; kept for the person when signed in."""
    form = LanguageForm(request.POST)
    target = _safe_next(request, request.POST.get("next", ""))
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages offered."))
        return redirect(target)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        preferences_set(user=request.user, language=language)
        request.session[LANGUAGE_KEY] = language
    response = HttpResponseRedirect(target)
    _speak(request, response, language)
    return response


@require_POST
@login_required
def time_zone_detect(request: HttpRequest) -> HttpResponse:
    """The browser's time zone, sent once by static/js/time-zone.js; a zone the person chose
    stays. 204 when taken or kept, 400 for a name this system does not know."""
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    saved = preferences_of(request.user)
    if not saved.time_zone:
        saved = preferences_set(user=request.user, time_zone=form.cleaned_data["time_zone"])
    request.session[ZONE_KEY] = saved.time_zone
    return HttpResponse(status=204)
