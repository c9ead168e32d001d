"""The people and the pipeline of `make load`, for locust (run by ``manage.py load``).

Each person signs in as a demo account and, like a person clicking every 0.3–1.2 s, opens home,
their team dashboard, the org heatmap, the action board and the survey, and submits the survey;
one pipeline reports deployments through the API meanwhile. Who they are comes from the file
``GEMBA_LOAD_PEOPLE`` names (written by the command): people, their team and survey, the token.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time

from locust import HttpUser, between, task
from requests.cookies import RequestsCookieJar

PASSWORD = "gemba-demo"
with open(os.environ["GEMBA_LOAD_PEOPLE"], encoding="utf-8") as plan:
    PLAN = json.load(plan)
_next_person = itertools.cycle(PLAN["people"])
_lock = threading.Lock()
_csrf = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoopbackCookies(RequestsCookieJar):
    """Production settings mark the session and CSRF cookies Secure; this test speaks plain HTTP
    to 127.0.0.1, so they are kept as plain cookies (a browser would send them only over HTTPS)."""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class Person(HttpUser):
    weight = 20
    wait_time = between(0.3, 1.2)

    def on_start(self) -> None:
        self.client.cookies = LoopbackCookies()
        with _lock:
            self.username, self.team, self.survey = next(_next_person)
        self.rng = random.Random(self.username)
        page = self.client.get("/accounts/login/", name="sign in page")
        token = _csrf.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD},
            allow_redirects=False,
            name="sign in",
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"{self.username} could not sign in ({answer.status_code})")

    @task(25)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(20)
    def team_dashboard(self) -> None:
        self.client.get(f"/teams/{self.team}/", name="team dashboard")

    @task(12)
    def org_heatmap(self) -> None:
        self.client.get("/org/", name="org heatmap")

    @task(10)
    def action_board(self) -> None:
        self.client.get(f"/teams/{self.team}/actions/", name="action board")

    @task(10)
    def survey_page(self) -> None:
        if self.survey:
            self.client.get(self.survey, name="survey page")

    @task(10)
    def survey_submit(self) -> None:
        if not self.survey:
            return
        page = self.client.get(self.survey, name="survey page")
        fields = {"csrfmiddlewaretoken": _csrf.search(page.text).group(1), "action": "submit"}
        for question in sorted(set(re.findall(r'name="(q\d+)"', page.text))):
            fields[question] = str(self.rng.randint(1, 7))
        with self.client.post(
            self.survey, fields, allow_redirects=False, name="survey submit", catch_response=True
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"survey submit answered {answer.status_code}")


class Pipeline(HttpUser):
    """One CI/CD pipeline reporting a deployment every 0.3–1.2 s."""

    fixed_count = 1
    wait_time = between(0.3, 1.2)

    def on_start(self) -> None:
        self.count = 0

    @task
    def deploy(self) -> None:
        self.count += 1
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        body = {
            "service": "checkout-api",
            "environment": "production",
            "deployed_at": now,
            "first_commit_at": now,
            "status": "success",
            "external_id": f"load-{os.getpid()}-{self.count}",
        }
        with self.client.post(
            "/api/v1/deployments",
            json=body,
            headers={"Authorization": f"Bearer {PLAN['token']}"},
            name="API ingest",
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"API ingest answered {answer.status_code}")
