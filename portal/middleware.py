"""Site-wide middleware: each person's language and time zone, and development comforts that
change nothing in production."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver
from django.utils import timezone, translation
from django.views.defaults import page_not_found


class FriendlyNotFoundInDebug:
    """With DEBUG on, an unknown address gets the portal's own 404 page (templates/404.html), as
    in production, instead of Django's page that lists every URL pattern — unless
    ``GEMBA_DEBUG_URL_LIST`` asks for that list. JSON API addresses keep their JSON 404.

    It sits after CommonMiddleware, which still turns a 404 into the redirect to the address
    with a trailing slash (APPEND_SLASH).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and not settings.GEMBA_DEBUG_URL_LIST
            and not request.path_info.startswith("/api/")
            and self._unknown(request.path_info)
        ):
            return page_not_found(request, Http404(request.path_info))
        return response

    @staticmethod
    def _unknown(path: str) -> bool:
        try:
            match = get_resolver().resolve(path)
        except Resolver404:
            return True
        # The admin answers every address under /admin/ with its catch-all view, which 404s.
        return getattr(match.func, "__name__", "") == "catch_all_view"


LANGUAGE_KEY = "gemba_language"
ZONE_KEY = "gemba_time_zone"


class PersonPreferences:
    """Each page in the signed-in person's language and time zone.

    Both are copied into the session at sign-in (portal.signals) and when the person changes
    them, so no page pays a query for them. Without a chosen language, LocaleMiddleware's
    choice (the language cookie, else the browser's Accept-Language) stands; without a time zone,
    GEMBA_TIME_ZONE. The language is also kept in Django's language cookie, so the sign-in page
    speaks it after signing out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        language = zone = ""
        if session is not None:
            language = session.get(LANGUAGE_KEY) or ""
            zone = session.get(ZONE_KEY) or ""
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        else:
            language = ""
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
