"""Friendly 400, 403, 404 and 500 pages in the base layout; the 500 page needs no database."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import include, path
from django.views.defaults import server_error


def boom(request):
    raise RuntimeError("a bug")


def suspicious(request):
    raise SuspiciousOperation("odd input")


urlpatterns = [
    path("boom/", boom),
    path("suspicious/", suspicious),
    path("", include("portal.urls")),
]


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = __name__


def assert_base_layout(html: str) -> None:
    assert html.count("<h1") == 1
    assert "<header" in html and "<main" in html and "<footer" in html
    assert 'href="/"' in html  # Back home


def test_unknown_page_is_a_friendly_404_with_the_navigation(client_for, member):
    response = client_for(member).get("/teams/no-such-team/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Nothing here" in html and "or your account cannot see it" in html
    assert_base_layout(html)
    assert "Sign out" in html  # the signed-in navigation, so the way on is one click away


def test_outsiders_get_the_same_404_as_for_a_missing_team(client_for, outsider, team):
    response = client_for(outsider).get("/teams/checkout/")
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()


def test_read_only_viewer_writing_gets_a_friendly_403(client_for, manager, team):
    response = client_for(manager).post("/teams/checkout/actions/", {"title": "Not mine"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This is not yours to change" in html
    assert_base_layout(html)


def test_expired_form_gets_a_friendly_403(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member, backend="accounts.backends.PasswordBackend")
    response = client.post("/teams/checkout/actions/", {"title": "No token"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html and "Nothing was saved" in html
    assert_base_layout(html)


def test_suspicious_request_gets_a_friendly_400(client, db, error_urls):
    response = client.get("/suspicious/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Gemba could not read this request" in html
    assert_base_layout(html)


def test_a_bug_gets_a_friendly_500_in_the_base_layout(client, db, error_urls):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "nothing was half-saved" in html
    assert_base_layout(html)
    assert "a bug" not in html and "Traceback" not in html


def test_500_page_renders_without_the_database(rf, django_db_blocker):
    # A 500 is often the database failing: the page must not need it.
    with django_db_blocker.block():
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


# --- the development server (DEBUG on) and the log ------------------------------------------


def test_unknown_address_with_debug_on_is_the_friendly_404_not_the_url_list(client_for, member, settings):
    settings.DEBUG = True
    response = client_for(member).get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Nothing here" in html and "URLconf" not in html and "Using the URLconf" not in html
    assert_base_layout(html)


def test_an_unknown_admin_address_in_debug_is_the_friendly_404_too(client_for, staff, settings):
    settings.DEBUG = True
    response = client_for(staff).get("/admin/no_such_app/model/")
    assert response.status_code == 404
    assert "URLconf" not in response.content.decode()
    # A real admin page is untouched.
    assert client_for(staff).get("/admin/").status_code == 200


def test_debug_url_list_when_asked_for(client_for, member, settings):
    settings.DEBUG = True
    settings.GEMBA_DEBUG_URL_LIST = True
    assert "URLconf" in client_for(member).get("/no/such/page/").content.decode()


def test_friendly_404_in_debug_keeps_the_trailing_slash_redirect(client_for, member, settings):
    settings.DEBUG = True
    response = client_for(member).get("/org")
    assert response.status_code == 301 and response.headers["Location"] == "/org/"


def test_api_404_stays_json_in_debug(client_for, member, settings):
    settings.DEBUG = True
    response = client_for(member).get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert "Nothing here" not in response.content.decode()


def test_a_403_is_logged_once_and_without_a_traceback(client_for, manager, team, caplog):
    import logging

    # Only the root logger writes: the "django" logger has no handler of its own to write it again.
    assert logging.getLogger("django").handlers == [] and logging.getLogger("django").propagate
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_for(manager).post("/teams/checkout/actions/", {"title": "Not theirs"})
    assert response.status_code == 403
    forbidden = [r for r in caplog.records if r.name == "django.request" and r.status_code == 403]
    assert len(forbidden) == 1
    console = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    for log_filter in console.filters:
        log_filter.filter(forbidden[0])
    assert forbidden[0].exc_info is None
