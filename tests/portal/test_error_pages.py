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
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
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
