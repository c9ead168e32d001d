"""Chat notifications to Slack and Microsoft Teams: exact payloads, posted to a local HTTP server."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessments.services import round_close
from notifications.models import ChatNotification, ChatWebhook
from tests.factories import MembershipFactory, answer_all, make_model, make_round


class Receiver(BaseHTTPRequestHandler):
    posts: list
    status = 200

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).posts.append((self.path, self.headers["Content-Type"], json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def chat(settings):
    """A chat service on loopback: ``chat.url``, ``chat.posts``, ``chat.fail(status)``."""
    settings.GEMBA_CHAT_ALLOW_HTTP = True
    handler = type("Handler", (Receiver,), {"posts": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    class Chat:
        url = f"http://127.0.0.1:{server.server_port}"
        posts = handler.posts

        @staticmethod
        def fail(status):
            handler.status = status

    yield Chat
    server.shutdown()
    server.server_close()


def run_worker():
    call_command("worker", "--batch", stdout=StringIO())


@pytest.fixture
def round_(db, team):
    return make_round(model=make_model(points=5), teams=[team], k=3, name="Q1 check")


def test_slack_hears_a_round_open_with_its_link_in_block_kit(chat, team, round_, settings):
    settings.GEMBA_BASE_URL = "https://gemba.example.com"
    ChatWebhook.objects.create(name="#checkout", service="slack", url=chat.url + "/services/T/B/x", team=team)
    run_worker()
    run_worker()  # a second tick posts nothing new
    closes = round_.closes_at.strftime("%-d %b %Y, %H:%M") + " UTC"
    assert chat.posts == [
        (
            "/services/T/B/x",
            "application/json",
            {
                "text": "The survey “Q1 check” is open: Open until "
                + closes
                + "; it takes about 1 minute. Answers stay anonymous: results show only from 3 people "
                "together.",
                "blocks": [
                    {
                        "type": "section",
                        "text": {
                            "type": "mrkdwn",
                            "text": "*The survey “Q1 check” is open*\nOpen until "
                            + closes
                            + "; it takes about 1 minute. Answers stay anonymous: results show only from 3 "
                            "people together.",
                        },
                    },
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "text": {"type": "plain_text", "text": "Take the survey"},
                                "url": "https://gemba.example.com/surveys/",
                            }
                        ],
                    },
                ],
            },
        )
    ]


def test_teams_hears_results_ready_as_an_adaptive_card_linking_the_review(chat, team, round_, settings):
    settings.GEMBA_BASE_URL = "https://gemba.example.com"
    ChatWebhook.objects.create(
        name="Checkout channel",
        service="teams",
        url=chat.url + "/workflows/1",
        team=team,
        on_round_opened=False,
    )
    for _ in range(3):
        answer_all(round_, team, MembershipFactory(team=team).user, "4")
    round_close(round=round_)
    run_worker()
    (path, content_type, payload), *_ = chat.posts
    assert (path, content_type) == ("/workflows/1", "application/json")
    assert payload == {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {
                            "type": "TextBlock",
                            "text": "Results of “Q1 check” are ready",
                            "weight": "Bolder",
                            "size": "Medium",
                            "wrap": True,
                        },
                        {
                            "type": "TextBlock",
                            "text": "Checkout can open its results and plan what to improve.",
                            "wrap": True,
                        },
                    ],
                    "actions": [
                        {
                            "type": "Action.OpenUrl",
                            "title": "Open the results",
                            "url": f"https://gemba.example.com/teams/checkout/review/?round={round_.pk}",
                        }
                    ],
                },
            }
        ],
    }
    assert len(chat.posts) == 1


def test_two_days_before_the_close_a_group_webhook_hears_it_once(chat, team, round_, group):
    ChatWebhook.objects.create(
        name="Payments", service="slack", url=chat.url, group=group, on_round_opened=False
    )
    with time_machine.travel(round_.closes_at - timedelta(days=3), tick=False):
        run_worker()
    assert chat.posts == []
    with time_machine.travel(round_.closes_at - timedelta(days=1, hours=23), tick=False):
        run_worker()
        run_worker()
    assert len(chat.posts) == 1
    assert chat.posts[0][2]["text"].startswith("Two days left for “Q1 check”: It closes ")


def test_a_failing_chat_service_is_retried_then_shown_failed(chat, team, round_):
    ChatWebhook.objects.create(name="#checkout", service="slack", url=chat.url + "/secret-token", team=team)
    chat.fail(500)
    start = round_.opens_at + timedelta(hours=1)
    for attempt in range(5):
        with time_machine.travel(start + timedelta(minutes=20 * attempt), tick=False):
            run_worker()
    notification = ChatNotification.objects.get()
    assert notification.status == ChatNotification.Status.FAILED and notification.attempts == 5
    assert notification.last_error == "HTTPError: 500"
    assert "secret-token" not in notification.last_error
    assert len(chat.posts) == 5
    assert DBTaskResult.objects.failed().count() == 1


def test_the_admin_never_shows_the_webhook_url_again(client_for, staff, team, chat):
    webhook = ChatWebhook.objects.create(
        name="#checkout", service="slack", url=chat.url + "/secret-token", team=team
    )
    client = client_for(staff)
    page = client.get(reverse("admin:notifications_chatwebhook_change", args=[webhook.pk])).content.decode()
    assert "secret-token" not in page
    listing = client.get(reverse("admin:notifications_chatwebhook_changelist")).content.decode()
    assert "secret-token" not in listing and "127.0.0.1" in listing
    # Saving without retyping the URL keeps it.
    client.post(
        reverse("admin:notifications_chatwebhook_change", args=[webhook.pk]),
        {
            "name": "#checkout-team",
            "service": "slack",
            "url": "",
            "team": team.pk,
            "group": "",
            "on_round_opened": "on",
            "active": "on",
        },
    )
    webhook.refresh_from_db()
    assert webhook.name == "#checkout-team" and webhook.url.endswith("/secret-token")


def test_the_admin_refuses_a_plain_http_url(client_for, staff, team, settings):
    settings.GEMBA_CHAT_ALLOW_HTTP = False
    response = client_for(staff).post(
        reverse("admin:notifications_chatwebhook_add"),
        {
            "name": "#x",
            "service": "slack",
            "url": "http://hooks.example.com/x",
            "team": team.pk,
            "group": "",
            "active": "on",
        },
    )
    assert "The URL must start with https://." in response.content.decode()
    assert not ChatWebhook.objects.exists()


def test_the_url_is_sealed_at_rest(team, chat):
    from django.db import connection

    webhook = ChatWebhook.objects.create(
        name="#checkout", service="slack", url=chat.url + "/secret-token", team=team
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notifications_chatwebhook WHERE id = %s", [webhook.pk])
        row = cursor.fetchone()
    assert not any("secret-token" in str(value) for value in row)  # a copy of the database cannot post
    assert ChatWebhook.objects.get().url == chat.url + "/secret-token"
    assert ChatWebhook.objects.get().host == "127.0.0.1"


def test_a_changed_secret_key_says_to_enter_the_url_again(chat, team, round_, settings):
    ChatWebhook.objects.create(name="#checkout", service="slack", url=chat.url, team=team)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    run_worker()
    notification = ChatNotification.objects.get()
    assert notification.status == ChatNotification.Status.FAILED
    assert "enter the webhook URL again" in notification.last_error
    assert chat.posts == []
