"""Each person's language and time zone: the chooser, the settings page, the browser's zone at the
first visit, times shown in the person's zone with its name, and e-mails in theirs."""

import zoneinfo
from datetime import datetime

import pytest
from django.core import mail
from django.test import Client

from assessments.models import ReminderDelivery, Round
from assessments.scheduling import reminder_deliver_once, reminders_queue
from teams.models import Preferences
from tests.factories import make_model, make_round

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")


@pytest.fixture
def small_model(db):
    return make_model(points=5)


def test_the_sign_in_page_speaks_the_browsers_language(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ca,es;q=0.8,en;q=0.5")
    assert response["Content-Language"] == "ca"
    html = response.content.decode()
    assert '<html lang="ca">' in html and "Inicia la sessió" in html


def test_anyone_chooses_a_language_and_the_sign_in_page_keeps_it(client, db):
    response = client.post("/language/", {"language": "es", "next": "/accounts/login/"})
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/login/"
    assert response.cookies["gemba_language"].value == "es"
    assert '<html lang="es">' in client.get("/accounts/login/").content.decode()


def test_a_chosen_language_is_kept_for_the_person_on_every_device(client_for, member):
    client_for(member).post("/language/", {"language": "ca", "next": "/"})
    assert Preferences.objects.get(user=member).language == "ca"
    elsewhere = Client()  # another browser, no cookie
    elsewhere.force_login(member, backend="accounts.backends.PasswordBackend")
    response = elsewhere.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "ca"


@pytest.mark.parametrize(
    "data", [{"language": "xx"}, {"language": "es", "next": "https://evil.example.com/"}, {}]
)
def test_a_wrong_choice_changes_nothing_and_never_leaves_the_site(client_for, member, data):
    response = client_for(member).post("/language/", data)
    assert response.status_code == 302 and response.headers["Location"].startswith("/")
    assert Preferences.objects.filter(user=member, language="xx").count() == 0


def test_the_settings_page_saves_language_and_time_zone(client_for, member):
    client = client_for(member)
    assert client.get("/accounts/preferences/").status_code == 200
    response = client.post("/accounts/preferences/", {"language": "ca", "time_zone": "Europe/Madrid"})
    assert response.status_code == 302
    saved = Preferences.objects.get(user=member)
    assert (saved.language, saved.time_zone) == ("ca", "Europe/Madrid")
    page = client.get("/accounts/preferences/")
    assert page["Content-Language"] == "ca"


def test_the_settings_page_refuses_an_unknown_zone_with_a_message(client_for, member):
    response = client_for(member).post(
        "/accounts/preferences/", {"language": "", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["time_zone"]
    assert not Preferences.objects.filter(user=member).exists()


def test_the_browsers_zone_is_taken_once_and_never_over_a_chosen_one(client_for, member):
    client = client_for(member)
    assert 'data-time-zone-url="/accounts/preferences/time-zone/"' in client.get("/").content.decode()
    detected = client.post("/accounts/preferences/time-zone/", {"time_zone": "America/New_York"})
    assert detected.status_code == 204
    assert Preferences.objects.get(user=member).time_zone == "America/New_York"
    assert "data-time-zone-url" not in client.get("/").content.decode()  # known now: not asked again
    client.post("/accounts/preferences/", {"language": "", "time_zone": "Europe/Madrid"})
    client.post("/accounts/preferences/time-zone/", {"time_zone": "Asia/Tokyo"})
    assert Preferences.objects.get(user=member).time_zone == "Europe/Madrid"
    assert client.post("/accounts/preferences/time-zone/", {"time_zone": "nowhere"}).status_code == 400


def test_a_round_closing_at_2330_in_madrid_shows_the_right_day_in_new_york(
    small_model, team, lead, member, client_for, client
):
    Preferences.objects.create(user=lead, time_zone="Europe/Madrid")
    Preferences.objects.create(user=member, time_zone="America/New_York")
    # The lead enters the window in their own zone, as the form says.
    assert "Closes at (Europe/Madrid)" in client_for(lead).get("/rounds/").content.decode()
    response = client.post(
        "/rounds/",
        {
            "name": "Winter",
            "model": small_model.pk,
            "teams": [team.pk],
            "opens_at": "2026-12-01T09:00",
            "closes_at": "2099-01-01T23:30",
            "k": 3,
            "k_detail": 5,
        },
    )
    assert response.status_code == 302
    round_ = Round.objects.get(name="Winter")
    assert round_.closes_at == datetime(2099, 1, 1, 23, 30, tzinfo=MADRID)  # stored as 22:30 UTC
    # 23:30 in Madrid is 17:30 in New York, the same day; a member there reads it so.
    client.logout()
    page = client_for(member).get(f"/surveys/{round_.pk}/checkout/").content.decode()
    assert "1 Jan 2099, 17:30 EST" in page
    client.logout()
    assert "1 Jan 2099, 23:30 CET" in client_for(lead).get(f"/rounds/{round_.pk}/").content.decode()


def test_a_round_ending_just_before_midnight_in_new_york_is_the_next_day_in_madrid(
    small_model, team, lead, client_for
):
    Preferences.objects.create(user=lead, time_zone="Europe/Madrid")
    round_ = make_round(model=small_model, teams=[team], state="open")
    round_.closes_at = datetime(2099, 3, 1, 23, 30, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    round_.save()
    assert "2 Mar 2099, 05:30 CET" in client_for(lead).get(f"/rounds/{round_.pk}/").content.decode()


def test_a_reminder_speaks_the_recipients_language_and_zone(small_model, team, member, lead):
    Preferences.objects.create(user=member, language="ca", time_zone="Europe/Madrid")
    Preferences.objects.create(user=lead, language="es", time_zone="America/New_York")
    round_ = make_round(model=small_model, teams=[team], state="open")
    round_.closes_at = datetime(2099, 1, 1, 23, 30, tzinfo=MADRID)
    round_.save()
    reminders_queue(round=round_, teams=[team], kind="lead", by=lead)
    for delivery in ReminderDelivery.objects.all():
        reminder_deliver_once(delivery.pk)
    by_address = {message.to[0]: message for message in mail.outbox}
    catalan = by_address[member.email]
    assert "01/01/2099 23:30 CET" in catalan.body and "enquesta" in catalan.body
    spanish = by_address[lead.email]
    assert "01/01/2099 17:30 EST" in spanish.body and "encuesta" in spanish.body
