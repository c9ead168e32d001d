"""Who gets what at every address: each URL pattern of the project × persona × own / other team.

The patterns come from the URL resolver, so a new URL without an entry in ``MATRIX`` fails
``test_every_url_pattern_has_an_entry``. Each entry names the objects its parameters point at
(the personas' team "checkout" or another team "ledger", see ``conftest.World``) and the status
each relation to that team gets, for GET and for POST (PATCH where the API takes it); HEAD gets
what GET gets, with the same headers and no body. Every
request runs in a savepoint that is rolled back, so one persona's POST does not change what the
next one sees.

Every GET and HEAD, like every refused write, must leave the database as it was (its
``fingerprint``); the world holds a round past its close that no worker has scored yet, which the
pages once closed as a side effect.

Statuses: a number, ``LOGIN`` (302 to the sign-in page), ``ADMIN_LOGIN`` (302 to the admin's) or
``DONE`` (302 elsewhere: the write was accepted, or refused with a message on the next page).

Relations of a persona to the team a URL points at: ``anonymous``; ``pipeline`` (no session,
the checkout team's API token; on web pages it is as anonymous as anyone without a session);
``none`` (cannot see the team); ``member``, ``lead``, ``manager`` (lead of the team's group);
``staff``. The outsider is a plain member of ledger, so on ledger's objects they are ``member``
and the checkout personas are ``none``. Pages of no team use each persona's own role
(the outsider counts as a member).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.security.conftest import fingerprint

LOGIN = "login"
ADMIN_LOGIN = "admin login"
DONE = "done"

PERSONAS = ("anonymous", "pipeline", "outsider", "member", "lead", "manager", "staff")
RELATIONS = ("anonymous", "pipeline", "foreign pipeline", "none", "member", "lead", "manager", "staff")
# The relation of each persona to checkout (own), to ledger (other) and to pages of no team.
RELATION = {
    "own": {p: {"outsider": "none"}.get(p, p) for p in PERSONAS},
    "other": {
        "anonymous": "anonymous",
        "pipeline": "foreign pipeline",
        "outsider": "member",
        "member": "none",
        "lead": "none",
        "manager": "none",
        "staff": "staff",
    },
    "site": {p: {"outsider": "member"}.get(p, p) for p in PERSONAS},
}


def rule(signed_in, *, anonymous=LOGIN, pipeline=None, **relations) -> dict[str, object]:
    """The status per relation: ``signed_in`` for everyone with a session unless named otherwise."""
    table = dict.fromkeys(("none", "member", "lead", "manager", "staff"), signed_in)
    table["anonymous"] = anonymous
    table["pipeline"] = table["foreign pipeline"] = anonymous if pipeline is None else pipeline
    table.update({name.replace("_", " "): status for name, status in relations.items()})
    return table


# Answers that refuse a write: nothing may be written then.
REFUSALS = (401, 403, 404, 405, LOGIN, ADMIN_LOGIN)
# Method checks come before the sign-in check (``@require_safe`` / ``@require_POST`` outermost).
REFUSED = rule(405, anonymous=405)
SEE = rule(200, none=404)  # whoever may see the team: members, lead, group manager, staff
WORK = rule(DONE, none=404, manager=403, staff=403)  # members and lead of the team write
LEAD = rule(DONE, none=404, member=403)  # lead, group manager, staff


@dataclass(frozen=True)
class Target:
    name: str
    relation: str  # which RELATION table applies: "own", "other" or "site"
    kwargs: Callable


@dataclass(frozen=True)
class Entry:
    """How one URL pattern answers: ``expect[method][relation]`` for the own and other targets,
    ``odd[target][method][relation]`` for the extra targets of its scope (e.g. mixed ids)."""

    scope: str
    expect: dict[str, dict[str, object]]
    data: Callable | None = None
    odd: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    json: bool = False
    why: str = ""


def _team(side):
    return {"slug": side.team.slug}


SCOPES: dict[str, list[Target]] = {
    "site": [Target("site", "site", lambda w: {})],
    "team": [
        Target("own", "own", lambda w: _team(w.own)),
        Target("other", "other", lambda w: _team(w.other)),
    ],
    "survey": [
        Target("own", "own", lambda w: {"round_id": w.own.open_round.pk, "team_slug": w.own.team.slug}),
        Target("other", "other", lambda w: {"round_id": w.other.open_round.pk, "team_slug": "ledger"}),
        # checkout's slug with ledger's round: the round does not cover the team.
        Target("mixed", "own", lambda w: {"round_id": w.other.open_round.pk, "team_slug": "checkout"}),
    ],
    "schedule": [
        Target("own", "own", lambda w: {"schedule_id": w.own.schedule.pk}),
        Target("other", "other", lambda w: {"schedule_id": w.other.schedule.pk}),
    ],
    "round": [
        Target("own", "own", lambda w: {"round_id": w.own.open_round.pk}),
        Target("other", "other", lambda w: {"round_id": w.other.open_round.pk}),
    ],
    "scored round": [
        Target("own", "own", lambda w: {"round_id": w.own.scored_round.pk}),
        Target("other", "other", lambda w: {"round_id": w.other.scored_round.pk}),
        # Results exist only once a round is closed: an open round is not found.
        Target("open", "own", lambda w: {"round_id": w.own.open_round.pk}),
    ],
    "action": [
        Target("own", "own", lambda w: {"action_id": w.own.action.pk}),
        Target("other", "other", lambda w: {"action_id": w.other.action.pk}),
    ],
    "experiment": [
        Target("own", "own", lambda w: {"action_id": w.own.action.pk, "experiment_id": w.own.experiment.pk}),
        Target(
            "other",
            "other",
            lambda w: {"action_id": w.other.action.pk, "experiment_id": w.other.experiment.pk},
        ),
        # checkout's action with ledger's experiment.
        Target(
            "mixed", "own", lambda w: {"action_id": w.own.action.pk, "experiment_id": w.other.experiment.pk}
        ),
    ],
    "token": [
        Target("own", "own", lambda w: {"slug": "checkout", "pk": w.own.token.pk}),
        Target("other", "other", lambda w: {"slug": "ledger", "pk": w.other.token.pk}),
        # checkout's page with ledger's token.
        Target("mixed", "own", lambda w: {"slug": "checkout", "pk": w.other.token.pk}),
    ],
    "webhook": [
        Target("own", "own", lambda w: {"slug": "checkout", "pk": w.own.webhook.pk}),
        Target("other", "other", lambda w: {"slug": "ledger", "pk": w.other.webhook.pk}),
        # checkout's page with ledger's webhook.
        Target("mixed", "own", lambda w: {"slug": "checkout", "pk": w.other.webhook.pk}),
    ],
    "webhook url": [
        Target("own", "site", lambda w: {"provider": "github", "public_id": w.own.webhook.public_id}),
    ],
    "unknown api path": [Target("site", "site", lambda w: {"unknown": "nope/deeper"})],
    "scim resource": [Target("site", "site", lambda w: {"pk": "1"})],
    "incident": [
        Target("own", "own", lambda w: {"external_id": w.own.incident.external_id}),
        Target("other", "other", lambda w: {"external_id": w.other.incident.external_id}),
    ],
}


# --- What valid writes look like (so that who may write gets the success status) -------------


def _owner(world, target):
    return world.users["member"] if target.relation == "own" else world.users["outsider"]


def _round_data(world, target):
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {
        "name": "Next quarter",
        "model": world.model.pk,
        "teams": [world.own.team.pk],
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "k": 3,
        "k_detail": 5,
    }


def _schedule_data(world):
    fields = {
        "name": "Monthly pulse",
        "model": world.model.pk,
        "teams": [world.own.team.pk],
        "cadence": "monthly",
        "every_weeks": 2,
        "starts_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "opens_at_time": "09:00",
        "open_days": 10,
        "k": 3,
        "k_detail": 5,
        "remind_after_days": 3,
        "remind_before_close_days": 1,
        "max_reminders": 2,
        "reminder_gap_hours": 24,
    }
    return {f"schedule-{key}": value for key, value in fields.items()}


def _action_data(world, target):
    return {"title": "Pair on the deploy script", "owner": _owner(world, target).pk}


def _experiment_data(world, target):
    return {"date": timezone.localdate().isoformat(), "step": "Deploy twice a day", "expected": "Smaller"}


def _history_file(world, target):
    csv = (
        "external_id,service,environment,deployed_at,first_commit_at,status\n"
        "hist-1,web,production,2025-03-01T14:30:00Z,2025-03-01T09:00:00Z,success\n"
    )
    return {"deployments": SimpleUploadedFile("deployments.csv", csv.encode(), content_type="text/csv")}


def _deployment_json(world, target):
    return {
        "service": "web",
        "environment": "production",
        "deployed_at": "2025-03-01T14:30:00Z",
        "first_commit_at": "2025-03-01T09:00:00Z",
        "status": "success",
        "external_id": "matrix-1",
    }


def _incident_json(world, target):
    return {"service": "web", "severity": "high", "started_at": "2025-03-02T09:00:00Z", "external_id": "m-1"}


def _resolve_json(world, target):
    return {"resolved_at": timezone.now().isoformat()}


ADMIN_NAMESPACE = "admin"
# Patterns checked elsewhere, each with the reason. Nothing else may be left out of MATRIX.
NOT_IN_MATRIX = {
    ADMIN_NAMESPACE: (
        "Django admin, ~140 routes of one app: one representative check for the whole namespace "
        "(test_admin_is_for_staff_only): non-staff go to the admin sign-in, staff get 200."
    ),
}

MATRIX: dict[str, Entry] = {
    # --- site, sign-in -------------------------------------------------------------------
    "": Entry("site", {"GET": rule(200), "POST": REFUSED}),
    "healthz": Entry(
        "site", {"GET": rule(200, anonymous=200), "POST": REFUSED}, why="for load balancers: no sign-in"
    ),
    "accounts/login/": Entry(
        "site",
        # Signed-in people are sent on (redirect_authenticated_user); a wrong password is a 200 form.
        {"GET": rule(DONE, anonymous=200), "POST": rule(DONE, anonymous=200)},
        data=lambda w, t: {"username": "nobody", "password": "wrong"},
    ),
    "accounts/logout/": Entry("site", {"GET": REFUSED, "POST": rule(LOGIN)}, why="POST only; then sign-in"),
    "accounts/password/": Entry("site", {"GET": rule(200), "POST": rule(200)}, data=lambda w, t: {}),
    "accounts/preferences/": Entry(
        "site",
        {"GET": rule(200), "POST": rule(DONE)},
        data=lambda w, t: {"language": "ca", "time_zone": "Europe/Madrid"},
        why="each person's own language and time zone",
    ),
    "accounts/preferences/time-zone/": Entry(
        "site",
        {"GET": REFUSED, "POST": rule(204)},
        data=lambda w, t: {"time_zone": "America/New_York"},
        why="the browser's time zone at the first visit (static/js/site.js)",
    ),
    "language/": Entry(
        "site",
        # The chooser of every page, the sign-in page's too: a cookie for everyone, kept for who
        # is signed in.
        {"GET": REFUSED, "POST": rule(DONE, anonymous=DONE)},
        data=lambda w, t: {"language": "es", "next": "/"},
    ),
    "accounts/password/done/": Entry("site", {"GET": rule(200), "POST": rule(405)}),
    "accounts/oidc/login/": Entry(
        "site",
        # Without GEMBA_OIDC_ISSUER: back to the sign-in page with a message, for everyone.
        {"GET": rule(LOGIN), "POST": REFUSED},
        why="single sign-on start; tests/accounts/test_oidc.py runs it against a real provider",
    ),
    "oidc/callback/": Entry(
        "site",
        # No code and state from a provider: the sign-in failed, back to the sign-in page.
        {"GET": rule(LOGIN), "POST": REFUSED},
        why="the provider's redirect back; tampered states and nonces in tests/accounts/test_oidc.py",
    ),
    # --- surveys and rounds --------------------------------------------------------------
    "surveys/": Entry("site", {"GET": rule(200), "POST": REFUSED}),
    "surveys/<int:round_id>/<slug:team_slug>/": Entry(
        "survey",
        # Only who answers the team's survey: its members and lead; not managers, not staff.
        {
            "GET": rule(200, none=404, manager=404, staff=404),
            "POST": rule(DONE, none=404, manager=404, staff=404),
        },
        data=lambda w, t: {"action": "draft"},
        odd={"mixed": {"GET": rule(404), "POST": rule(404)}},
    ),
    "rounds/": Entry(
        "site", {"GET": rule(200, member=404), "POST": rule(DONE, member=404)}, data=_round_data
    ),
    "rounds/schedules/": Entry(
        "site", {"GET": REFUSED, "POST": rule(DONE, member=404)}, data=lambda w, t: _schedule_data(w)
    ),
    "rounds/schedules/<int:schedule_id>/": Entry(
        "schedule",
        {"GET": REFUSED, "POST": rule(DONE, none=404, member=404)},
        data=lambda w, t: {"action": "pause"},
    ),
    "rounds/<int:round_id>/": Entry("round", {"GET": rule(200, none=404, member=404), "POST": REFUSED}),
    "rounds/<int:round_id>/remind/": Entry(
        "round", {"GET": REFUSED, "POST": rule(DONE, none=404, member=404)}
    ),
    "rounds/<int:round_id>/close/": Entry(
        "round", {"GET": REFUSED, "POST": rule(DONE, none=404, member=404)}
    ),
    # --- dashboards and exports ----------------------------------------------------------
    "teams/<slug:slug>/": Entry("team", {"GET": SEE, "POST": REFUSED}),
    "teams/<slug:slug>/targets/": Entry("team", {"GET": REFUSED, "POST": LEAD}, data=lambda w, t: {}),
    "teams/<slug:slug>/review/": Entry(
        "team", {"GET": SEE, "POST": WORK}, data=lambda w, t: {"form": "review"}
    ),
    "teams/<slug:slug>/history.csv": Entry("team", {"GET": SEE, "POST": REFUSED}),
    "org/": Entry("site", {"GET": rule(200), "POST": REFUSED}, why="org aggregates: teams at k only"),
    "org/heatmap.csv": Entry("site", {"GET": rule(200), "POST": REFUSED}),
    "org/rounds.csv": Entry("site", {"GET": rule(200), "POST": REFUSED}),
    "org/rounds/<int:round_id>.csv": Entry(
        "scored round",
        # Like /org/: every signed-in person sees org aggregates (teams at k), whichever team.
        {"GET": rule(200), "POST": REFUSED},
        odd={"open": {"GET": rule(404), "POST": REFUSED}},
        why="org aggregates for every signed-in person; teams below k have no row",
    ),
    # --- improvement actions --------------------------------------------------------------
    "teams/<slug:slug>/actions/": Entry("team", {"GET": SEE, "POST": WORK}, data=_action_data),
    "actions/<int:action_id>/": Entry(
        "action", {"GET": SEE, "POST": WORK}, data=lambda w, t: {"stage": "do"}
    ),
    "actions/<int:action_id>/move/": Entry(
        "action", {"GET": REFUSED, "POST": WORK}, data=lambda w, t: {"stage": "do"}
    ),
    "actions/<int:action_id>/edit/": Entry(
        "action", {"GET": rule(200, none=404, manager=403, staff=403), "POST": WORK}, data=_action_data
    ),
    "actions/<int:action_id>/experiments/": Entry(
        "action", {"GET": REFUSED, "POST": WORK}, data=_experiment_data
    ),
    "actions/<int:action_id>/experiments/<int:experiment_id>/": Entry(
        "experiment",
        {"GET": rule(200, none=404, manager=403, staff=403), "POST": WORK},
        data=_experiment_data,
        # The action is checkout's: who may work on it finds no such experiment.
        odd={"mixed": {"GET": rule(404, manager=403, staff=403), "POST": rule(404, manager=403, staff=403)}},
    ),
    "teams/<slug:slug>/actions/limits/": Entry(
        "team",
        # The team lead alone sets the board's WIP limits.
        {"GET": rule(403, none=404, lead=200), "POST": rule(403, none=404, lead=DONE)},
        data=lambda w, t: {"plan": "", "do": "4", "check": "", "act": ""},
    ),
    "teams/<slug:slug>/actions/export.csv": Entry("team", {"GET": SEE, "POST": REFUSED}),
    # --- delivery ---------------------------------------------------------------------------
    "teams/<slug:slug>/delivery/": Entry("team", {"GET": SEE, "POST": REFUSED}),
    "teams/<slug:slug>/delivery/tokens/": Entry(
        "team", {"GET": REFUSED, "POST": rule(200, none=404, member=403)}, data=lambda w, t: {"name": "CD"}
    ),
    "teams/<slug:slug>/delivery/tokens/<int:pk>/revoke/": Entry(
        "token",
        {"GET": REFUSED, "POST": LEAD},
        data=lambda w, t: {},
        odd={"mixed": {"GET": REFUSED, "POST": rule(404, member=403)}},
    ),
    "teams/<slug:slug>/delivery/import/": Entry(
        "team", {"GET": rule(200, none=404, member=403), "POST": LEAD}, data=_history_file
    ),
    "teams/<slug:slug>/delivery/records/": Entry("team", {"GET": SEE, "POST": REFUSED}),
    "teams/<slug:slug>/delivery/records.csv": Entry("team", {"GET": SEE, "POST": REFUSED}),
    "teams/<slug:slug>/delivery/webhooks/": Entry(
        "team",
        # The URL and secret are shown on the answer itself (once): 200, not a redirect.
        {"GET": REFUSED, "POST": rule(200, none=404, member=403)},
        data=lambda w, t: {"provider": "pagerduty", "name": "On call"},
    ),
    "teams/<slug:slug>/delivery/webhooks/<int:pk>/secret/": Entry(
        "webhook",
        {"GET": REFUSED, "POST": LEAD},
        data=lambda w, t: {"secret": "pagerduty-made-this-secret"},
        odd={"mixed": {"GET": REFUSED, "POST": rule(404, member=403)}},
    ),
    "teams/<slug:slug>/delivery/webhooks/<int:pk>/revoke/": Entry(
        "webhook",
        {"GET": REFUSED, "POST": LEAD},
        data=lambda w, t: {},
        odd={"mixed": {"GET": REFUSED, "POST": rule(404, member=403)}},
    ),
    "teams/<slug:slug>/delivery/rules/": Entry(
        "team",
        {"GET": rule(200, none=404, member=403), "POST": LEAD},
        data=lambda w, t: {
            "production": "production\nprod-*",
            "rework_labels": "hotfix",
            "rework_branches": "hotfix/*",
            "rework_titles": "",
            "deploy_workflows": "",
            "link_window_hours": "24",
            "routes": "",
            "save": "1",
        },
    ),
    "webhooks/<str:provider>/<str:public_id>": Entry(
        "webhook url",
        # Providers sign; a session or an API token is no signature. Never a sign-in redirect.
        {"GET": rule(405, anonymous=405), "POST": rule(401, anonymous=401)},
        data=lambda w, t: {"zen": "unsigned"},
        json=True,
        why="provider calls: only a valid signature or token of that webhook is accepted",
    ),
    # --- JSON API ----------------------------------------------------------------------------
    "api/v1/": Entry(
        "site",
        {"GET": rule(404, anonymous=404), "POST": rule(404, anonymous=404)},
        why="ninja's root: no page",
    ),
    "api/v1/openapi.json": Entry(
        "site", {"GET": rule(200, anonymous=401), "POST": REFUSED}, why="a JSON document: 401, no redirect"
    ),
    "api/v1/docs": Entry("site", {"GET": rule(200), "POST": REFUSED}),
    "api/v1/deployments": Entry(
        "site",
        # Pipelines only: a person's session is no token.
        {"GET": REFUSED, "POST": rule(401, anonymous=401, pipeline=201)},
        data=_deployment_json,
        json=True,
    ),
    "api/v1/incidents": Entry(
        "site",
        {"GET": REFUSED, "POST": rule(401, anonymous=401, pipeline=201)},
        data=_incident_json,
        json=True,
    ),
    "api/v1/incidents/<external_id>": Entry(
        "incident",
        {
            "GET": REFUSED,
            "POST": REFUSED,
            "PATCH": rule(401, anonymous=401, pipeline=200, foreign_pipeline=404),
        },
        data=_resolve_json,
        json=True,
    ),
    "api/v1/<path:unknown>": Entry(
        "unknown api path",
        {method: rule(404, anonymous=404) for method in ("GET", "POST", "PATCH")},
        json=True,
        why="any other address under /api/v1/: a JSON 404 for every method",
    ),
    # --- SCIM provisioning (on here: GEMBA_SCIM_TOKEN is set, and no persona holds it) ---------
    **{
        route: Entry(
            scope,
            {method: rule(401, anonymous=401) for method in methods},
            data=lambda w, t: {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "matrix",
            },
            json=True,
            why="the identity provider's bearer token only: no session, superuser or API token opens it",
        )
        for route, scope, methods in [
            ("scim/v2/Users", "site", ("GET", "POST")),
            ("scim/v2/Users/<str:pk>", "scim resource", ("GET", "POST", "PATCH")),
            ("scim/v2/Groups", "site", ("GET", "POST")),
            ("scim/v2/Groups/<str:pk>", "scim resource", ("GET", "POST", "PATCH")),
            ("scim/v2/ServiceProviderConfig", "site", ("GET", "POST")),
            ("scim/v2/ResourceTypes", "site", ("GET", "POST")),
            ("scim/v2/Schemas", "site", ("GET", "POST")),
        ]
    },
    "api/v1/teams/<slug>/metrics": Entry(
        "team",
        {"GET": rule(200, anonymous=401, none=404, pipeline=200, foreign_pipeline=404), "POST": REFUSED},
    ),
    "api/v1/rounds/<round_id>/scores": Entry(
        "scored round",
        # Any signed-in person, like /org/; pipelines have no session.
        {"GET": rule(200, anonymous=401), "POST": REFUSED},
        odd={"open": {"GET": rule(404, anonymous=401), "POST": REFUSED}},
    ),
}


def url_patterns() -> list[str]:
    """Every route of the project as one string ("teams/<slug:slug>/actions/"), admin ones as
    the namespace name: its ~140 routes share one check."""
    routes: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == ADMIN_NAMESPACE:
                    routes.append(ADMIN_NAMESPACE)
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                routes.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return routes


def fill(route: str, kwargs: dict) -> str:
    """The route with its parameters filled in ("<slug:slug>" → "checkout")."""
    path = route
    for name, value in kwargs.items():
        for converter in ("", "int:", "slug:", "str:", "path:"):
            path = path.replace(f"<{converter}{name}>", str(value))
    assert "<" not in path, path
    return "/" + path


def test_every_url_pattern_has_an_entry():
    routes = url_patterns()
    assert len(routes) == len(set(routes)), "a route is mounted twice"
    assert set(routes) - set(MATRIX) - set(NOT_IN_MATRIX) == set(), "new URL: add it to MATRIX"
    assert set(NOT_IN_MATRIX) <= set(routes)
    assert set(MATRIX) - set(routes) == set(), "MATRIX names a URL that no longer exists"
    for route, entry in MATRIX.items():
        for method, table in entry.expect.items():
            assert set(table) == set(RELATIONS), (route, method)


@dataclass
class Outcome:
    status: int
    location: str
    wrote: bool = False
    content_type: str = ""
    body: bytes = b""

    def matches(self, expected) -> bool:
        if expected == LOGIN:
            return self.status == 302 and self.location.startswith("/accounts/login/")
        if expected == ADMIN_LOGIN:
            return self.status == 302 and self.location.startswith("/admin/login/")
        if expected == DONE:
            return self.status == 302 and not self.location.startswith(("/accounts/login/", "/admin/login/"))
        return self.status == expected

    def __str__(self) -> str:
        return f"{self.status} → {self.location}" if self.location else str(self.status)


class Personas:
    """A signed-in test client per persona; the session cookies are restored before each request."""

    def __init__(self, world) -> None:
        self.world = world
        self.clients: dict[str, Client] = {}
        self.cookies: dict[str, SimpleCookie] = {}
        for persona, user in world.users.items():
            client = Client()
            if user is not None:
                client.force_login(user, backend="accounts.backends.PasswordBackend")
            self.clients[persona] = client
            self.cookies[persona] = SimpleCookie(client.cookies.output(header="", sep="\n"))

    def send(
        self, persona: str, method: str, path: str, data, *, json: bool, refused: bool = False
    ) -> Outcome:
        client = self.clients[persona]
        client.cookies = SimpleCookie(self.cookies[persona].output(header="", sep="\n"))
        headers = {"Authorization": f"Bearer {self.world.own.raw_token}"} if persona == "pipeline" else {}
        kwargs = {"headers": headers}
        if method not in ("GET", "HEAD"):
            kwargs["data"] = data or {}
            if json:
                kwargs["content_type"] = "application/json"
        # Each request sees the world as built: its writes are rolled back afterwards.
        with transaction.atomic():
            before = fingerprint() if refused else None
            response = getattr(client, method.lower())(path, **kwargs)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            changed = refused and fingerprint() != before
            transaction.set_rollback(True)
        return Outcome(
            response.status_code,
            response.headers.get("Location", ""),
            wrote=changed,
            content_type=response.headers.get("Content-Type", ""),
            body=body,
        )


@pytest.mark.parametrize("route", list(MATRIX))
def test_url_answers_each_persona_as_expected(route, world, settings, record_property):
    settings.GEMBA_API_RATE_LIMIT = 0
    settings.GEMBA_SCIM_TOKEN = "a SCIM token no persona holds"
    entry = MATRIX[route]
    personas = Personas(world)
    wrong, cells = [], 0
    for target in SCOPES[entry.scope]:
        expectations = entry.odd.get(target.name, entry.expect)
        path = fill(route, target.kwargs(world))
        for persona in PERSONAS:
            relation = RELATION[target.relation][persona]
            methods = list(expectations.items())
            if "GET" in expectations:  # every address that answers GET answers HEAD alike
                methods.append(("HEAD", expectations["GET"]))
            answers: dict[str, Outcome] = {}
            for method, table in methods:
                expected = table[relation]
                data = entry.data(world, target) if entry.data else None
                # A refused write must change nothing; so must every GET and HEAD (no page closes
                # a due round, enqueues work or writes anything else).
                safe = method in ("GET", "HEAD")
                refused = safe or expected in REFUSALS
                outcome = answers[method] = personas.send(
                    persona, method, path, data, json=entry.json, refused=refused
                )
                cells += 1
                if not outcome.matches(expected) or outcome.wrote:
                    wrong.append(
                        f"{method} {path} [{target.name}] as {persona} ({relation}): "
                        f"expected {expected}, got {outcome}" + (" and it wrote" if outcome.wrote else "")
                    )
                if method == "HEAD" and (outcome.body or outcome.content_type != answers["GET"].content_type):
                    wrong.append(
                        f"HEAD {path} [{target.name}] as {persona}: a body of {len(outcome.body)} bytes, "
                        f"{outcome.content_type!r} where GET gives {answers['GET'].content_type!r}"
                    )
    record_property("count:authorization matrix cells (URL × persona × target × method)", cells)
    assert not wrong, "\n".join(wrong)


def test_every_target_of_every_scope_is_used():
    """Extra targets (mixed ids, open rounds) must have expectations wherever their scope is used."""
    for route, entry in MATRIX.items():
        for target in SCOPES[entry.scope]:
            if target.name not in ("own", "other", "site"):
                assert target.name in entry.odd, f"{route}: say what the {target.name!r} target gets"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", ["/admin/", "/admin/assessments/round/", "/admin/teams/team/1/change/"])
def test_admin_is_for_staff_only(world, persona, path):
    path = path.replace("/1/", f"/{world.own.team.pk}/")
    outcome = Personas(world).send(persona, "GET", path, None, json=False)
    assert outcome.matches(200 if persona == "staff" else ADMIN_LOGIN), outcome
