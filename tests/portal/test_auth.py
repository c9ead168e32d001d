import pytest

from tests.factories import PASSWORD


def test_login_page_renders_in_the_base_layout(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in to Gemba" in response.content
    assert b"bootstrap/css/bootstrap.min.css" in response.content


def test_member_signs_in_and_lands_home(client, member):
    response = client.post("/accounts/login/", {"username": "member", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert response.context["user"] == member


def test_wrong_password_shows_an_error_and_stays_signed_out(client, member):
    response = client.post("/accounts/login/", {"username": "member", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_session_key_changes_on_login(client, member):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"username": "member", "password": PASSWORD})
    assert client.session.session_key != before


def test_logout_is_post_only(client_for, member):
    client = client_for(member)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_password_change_keeps_the_user_signed_in(client_for, member):
    client = client_for(member)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-new-long-passphrase")
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_repeated_failures_lock_the_username_from_that_address(client, member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "member", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "member", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert b"Try again in 15 minutes" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_does_not_hit_the_same_user_from_another_address(client, member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "member", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "member", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_lockout_lifts_after_the_cool_off(client, member, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "member", "password": "wrong"})
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(hours=1))
    response = client.post("/accounts/login/", {"username": "member", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_admin_login_is_locked_out_too(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429


def test_session_cookie_is_httponly_and_samesite(client, member):
    response = client.post("/accounts/login/", {"username": "member", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
