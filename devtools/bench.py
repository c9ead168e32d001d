"""`manage.py bench`: time the pages and operations of SPEC §5 on the enterprise data set.

First the worker's work is done (portal.warming: the pages of the newest scored rounds and every
team's DORA keys), as a running worker would have. Each operation then runs once to warm up,
then ``runs`` times for the median and the 95th percentile; its SQL queries are counted on the
warm-up and on one more run after the timed ones, and the larger count is reported. Pages go
through Django's test client with a signed-in user, so middleware, sessions, templates and
charts are all in the time.

The pages with a budget also get *first views*, each the first request of its kind: after a
round closes (the close and the worker's next tick, then the page), after a deployment arrives
(an API ingest and the worker's next tick), and after a restart (a new process, as gunicorn
starts one: the WSGI module loaded, then the page). The worst of them is *first*; a page whose
first view is over its budget fails the table like a slow median.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import platform
import secrets
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Answer, Participation, Question, Response, Round
from assessments.services import respondent_key, round_close
from delivery import tokens
from delivery.ingest import SECRET_PURPOSE
from delivery.models import ApiToken, Deployment, Webhook
from improvements.flow import percentile
from portal import warming
from teams.models import Membership, Team
from teams.sealing import seal

LOGIN_BACKEND = "accounts.backends.PasswordBackend"


@dataclass(frozen=True)
class Budget:
    """SPEC §5: the median may take at most ``ms``; at most ``queries`` SQL queries (None: no limit)."""

    ms: float | None = None
    queries: int | None = None


@dataclass
class Result:
    name: str
    budget: Budget
    times_ms: list[float] = field(default_factory=list)
    first_ms: float | None = None
    # The first views, by situation ("after a close", "after a deployment", "after a restart").
    first_views: dict[str, float] = field(default_factory=dict)
    queries: int | None = None
    queries_first: int | None = None
    peak_kib: float | None = None
    note: str = ""
    skipped: str = ""

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times_ms) if self.times_ms else None

    @property
    def p95_ms(self) -> float | None:
        return percentile(self.times_ms, 95) if self.times_ms else None

    @property
    def within_budget(self) -> bool | None:
        """True when the median and the query count keep to the budget; None when nothing was measured."""
        if self.skipped or not self.times_ms:
            return None
        time_ok = self.budget.ms is None or self.median_ms <= self.budget.ms
        first_ok = self.budget.ms is None or not self.first_views or self.first_ms <= self.budget.ms
        queries_ok = self.budget.queries is None or (self.queries or 0) <= self.budget.queries
        return time_ok and first_ok and queries_ok

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(median_ms=self.median_ms, p95_ms=self.p95_ms, within_budget=self.within_budget)
        return data


def _fmt_ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1000:.2f} s" if value >= 10_000 else f"{value:.1f} ms"


def _fmt_budget(budget: Budget) -> str:
    parts = []
    if budget.ms is not None:
        parts.append(f"≤ {budget.ms / 1000:g} s" if budget.ms >= 1000 else f"≤ {budget.ms:g} ms")
    if budget.queries is not None:
        parts.append(f"≤ {budget.queries} q")
    return ", ".join(parts) or "—"


def table(results: list[Result]) -> str:
    """The results as a plain-text table against the budgets."""
    header = ["operation", "median", "p95", "first", "queries", "budget", "ok"]
    rows = []
    for result in results:
        if result.skipped:
            rows.append([result.name, result.skipped, "", "", "", _fmt_budget(result.budget), ""])
            continue
        verdict = {True: "yes", False: "NO", None: ""}[result.within_budget]
        queries = "—" if result.queries is None else str(result.queries)
        rows.append(
            [
                result.name,
                _fmt_ms(result.median_ms),
                _fmt_ms(result.p95_ms),
                _fmt_ms(result.first_ms),
                queries,
                _fmt_budget(result.budget),
                verdict,
            ]
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    notes = [f"- {r.name}: {r.note}" for r in results if r.note]
    notes += [
        f"- {r.name}, first views: "
        + ", ".join(f"{when} {_fmt_ms(ms)}" for when, ms in r.first_views.items())
        for r in results
        if r.first_views
    ]
    return "\n".join(lines + ([""] + notes if notes else []))


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        database_version = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": f"{connection.vendor} {database_version}",
        "platform": platform.platform(),
    }


# --- The operations --------------------------------------------------------------------------


@dataclass
class Stage:
    """The people, teams and rounds the operations use, found in the enterprise data set."""

    lead: object
    manager: object
    member: object
    team: Team
    open_round: Round
    token: ApiToken
    raw_token: str
    respondents: list[tuple[object, Team]]
    questions: list[int]
    added_keys: list[str] = field(default_factory=list)
    added_deployments: list[str] = field(default_factory=list)
    webhook: object = None
    webhook_secret: str = ""


class NoData(Exception):
    """The database does not hold the enterprise data set."""


def stage() -> Stage:
    """Find the demo accounts, an open round over every team and people who have not answered it."""
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["lead", "manager", "member"])
    }
    if len(users) < 3:
        raise NoData("the demo accounts are missing")
    team = Team.objects.filter(
        memberships__user=users["lead"], memberships__role=Membership.Role.LEAD
    ).first()
    open_round = (
        Round.objects.open().filter(teams=team).select_related("model").order_by("-opens_at").first()
        if team
        else None
    )
    if open_round is None:
        raise NoData("no open round covers the lead's team")
    answered = Participation.objects.filter(round=open_round).values("user")
    # People who have not answered the open round yet: each submit run is a new respondent.
    respondents = [
        (m.user, m.team)
        for m in Membership.objects.filter(team__rounds=open_round)
        .exclude(user__in=answered)
        .exclude(user=users["member"])
        .select_related("user", "team")
        .order_by("team__slug", "user__username")[:200]
    ]
    # Made directly rather than through api_token_create: a bench run is not an event for the audit trail.
    raw = tokens.generate()
    token = ApiToken.objects.create(
        team=team, name="make bench", token_hash=tokens.digest(raw), shown_part=tokens.shown_part(raw)
    )
    questions = list(
        Question.objects.filter(dimension__model=open_round.model).values_list("pk", flat=True).order_by("pk")
    )
    # Likewise a GitHub webhook made directly: its secret sealed as webhook_create would.
    webhook_secret = secrets.token_urlsafe(32)
    webhook = Webhook.objects.create(
        team=team,
        provider="github",
        name="make bench",
        public_id=secrets.token_urlsafe(24),
        secret_sealed=seal(webhook_secret, purpose=SECRET_PURPOSE),
    )
    return Stage(
        webhook=webhook,
        webhook_secret=webhook_secret,
        lead=users["lead"],
        manager=users["manager"],
        member=users["member"],
        team=team,
        open_round=open_round,
        token=token,
        raw_token=raw,
        respondents=respondents,
        questions=questions,
    )


def tidy(staged: Stage) -> None:
    """Take out what the bench added: its responses, participations, deployments and token."""
    Response.objects.filter(round=staged.open_round, respondent_key__in=staged.added_keys).delete()
    Participation.objects.filter(
        round=staged.open_round, user__in=[user for user, _ in staged.respondents]
    ).delete()
    Deployment.objects.filter(team=staged.team, external_id__in=staged.added_deployments).delete()
    Deployment.objects.filter(team=staged.team, external_id__startswith="github:bench:").delete()
    ApiToken.objects.filter(pk=staged.token.pk).delete()
    if staged.webhook is not None:
        Webhook.objects.filter(pk=staged.webhook.pk).delete()


def _client(user) -> Client:
    """A signed-in test client whose middleware is already loaded (a new client loads it on its first
    request, and WhiteNoise then indexes every static file: a server process does that once)."""
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    client.get("/healthz")
    return client


def _get(client: Client, url: str, **extra) -> Callable[[], None]:
    def run() -> None:
        response = client.get(url, **extra)
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}")
        if response.streaming:
            for _ in response.streaming_content:
                pass
        else:
            response.content  # noqa: B018 - rendered already; touch it like a server would

    return run


def operations(
    staged: Stage, runs: int, scale: str = "enterprise"
) -> list[tuple[str, Budget, Callable[[], None] | None, str]]:
    """(name, budget, one run, note) for every operation of the bench."""
    lead, manager, member = _client(staged.lead), _client(staged.manager), _client(staged.member)
    survey_url = f"/surveys/{staged.open_round.pk}/{staged.team.slug}/"
    # Signed in beforehand: each submit run is a new respondent, and signing in is not the submit.
    respondents = iter([(user, team, _client(user)) for user, team in staged.respondents[: runs + 6]])

    def survey_submit() -> None:
        user, team, client = next(respondents)
        data = {f"q{pk}": str(1 + (pk + user.pk) % 7) for pk in staged.questions}
        data["action"] = "submit"
        staged.added_keys.append(
            respondent_key(user_id=user.pk, round_id=staged.open_round.pk, team_id=team.pk)
        )
        start = time.perf_counter()
        response = client.post(f"/surveys/{staged.open_round.pk}/{team.slug}/", data)
        survey_submit.elapsed = time.perf_counter() - start
        if response.status_code != 302:
            raise AssertionError(f"survey submit answered {response.status_code}")

    def close_round() -> None:
        # The real round_close of the open round over every team, rolled back so it can run again.
        # The deferred foreign-key checks run too (PostgreSQL), as the commit would run them.
        with transaction.atomic():
            start = time.perf_counter()
            round_close(round=staged.open_round)
            if connection.vendor == "postgresql":
                connection.check_constraints()  # SQLite counts its deferred checks as it goes
            close_round.elapsed = time.perf_counter() - start
            transaction.set_rollback(True)

    counter = iter(range(1_000_000))
    api = Client()
    api.get("/healthz")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {staged.raw_token}"}

    def api_ingest() -> None:
        now = timezone.now()
        external_id = f"bench-{int(time.time() * 1000)}-{next(counter)}"
        staged.added_deployments.append(external_id)
        body = {
            "service": f"{staged.team.slug}-api",
            "environment": "production",
            "status": "success",
            "deployed_at": now.isoformat(),
            "first_commit_at": (now - timedelta(hours=3)).isoformat(),
            "external_id": external_id,
        }
        response = api.post("/api/v1/deployments", json.dumps(body), content_type="application/json", **auth)
        if response.status_code != 201:
            raise AssertionError(f"API ingest answered {response.status_code}: {response.content[:200]!r}")

    hook_url = f"/webhooks/github/{staged.webhook.public_id}"

    def webhook_ingest() -> None:
        number = next(counter)
        at = timezone.now().isoformat()
        body = json.dumps(
            {
                "action": "created",
                "deployment_status": {"state": "success", "created_at": at, "updated_at": at},
                "deployment": {
                    "id": f"{int(time.time() * 1000)}-{number}",
                    "sha": f"{number:040x}",
                    "ref": "main",
                    "environment": "production",
                    "payload": {"service": f"{staged.team.slug}-api"},
                },
                "repository": {"id": "bench", "name": "bench", "full_name": "gemba/bench"},
            }
        ).encode()
        signature = hmac.new(staged.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        response = api.post(
            hook_url,
            body,
            content_type="application/json",
            HTTP_X_GITHUB_EVENT="deployment_status",
            HTTP_X_GITHUB_DELIVERY=f"bench-{number}-{time.time()}",
            HTTP_X_HUB_SIGNATURE_256=f"sha256={signature}",
        )
        if response.status_code != 201:
            raise AssertionError(
                f"webhook ingest answered {response.status_code}: {response.content[:200]!r}"
            )

    ops: list[tuple[str, Budget, Callable[[], None] | None, str]] = [
        ("team dashboard", Budget(150, 20), _get(lead, f"/teams/{staged.team.slug}/"), ""),
        (
            "org heatmap, all teams",
            Budget(400, 20),
            _get(manager, "/org/"),
            "a row per group (GEMBA_ORG_TEAMS_AT_ONCE)" if scale == "huge" else "",
        ),
        ("survey page", Budget(80, 15), _get(member, survey_url), ""),
        (
            "survey submit, 40 answers",
            Budget(100, 15),
            survey_submit,
            "POST by a new respondent each run (time of the request only)",
        ),
        (
            "close a round of all teams",
            Budget(30_000 if scale == "huge" else 10_000, None),
            close_round,
            "the real round_close of the open round (drafts dropped, scores stored in bulk) and "
            "the foreign-key checks of its commit, rolled back after each run"
            + (f" ({CLOSE_RUNS_HUGE} runs after a VACUUM)" if scale == "huge" else ""),
        ),
        ("CSV export, all rounds", Budget(None, None), _get(manager, "/org/rounds.csv"), ""),
        ("API ingest, one deployment", Budget(None, None), api_ingest, "POST /api/v1/deployments"),
        (
            "webhook ingest, one GitHub deployment",
            Budget(None, None),
            webhook_ingest,
            "a signed deployment_status through /webhooks/github/<id>: verify, rules, store; "
            "events per second = 1000 / median",
        ),
        (
            "metrics API",
            Budget(None, None),
            _get(api, f"/api/v1/teams/{staged.team.slug}/metrics", **auth),
            "GET /api/v1/teams/<slug>/metrics with the team's token",
        ),
    ]
    if apps.is_installed("improvements"):
        ops.append(
            (
                "action board",
                Budget(None, None),
                _get(lead, f"/teams/{staged.team.slug}/actions/"),
                "the lead's team board (SPEC §5 sets no budget)",
            )
        )
    else:
        ops.append(("action board", Budget(None, None), None, "n/a (improvements not merged)"))
    return ops


def _once(run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    # Operations that set up more than they measure report the measured part themselves.
    inner = getattr(run, "elapsed", None)
    return (inner if inner is not None else elapsed) * 1000


# How many timed closes the huge set gets (after a vacuum and a warm-up).
CLOSE_RUNS_HUGE = 3


def _vacuumed(*models) -> None:
    """VACUUM ANALYZE these tables (PostgreSQL; outside any transaction)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def measure(name: str, budget: Budget, run: Callable[[], None] | None, runs: int, note: str = "") -> Result:
    """Warm up once (kept as first unless first views replace it), time ``runs`` runs, count the
    queries of the first and the last."""
    if run is None:
        return Result(name=name, budget=budget, skipped=note)
    result = Result(name=name, budget=budget, note=note)
    with CaptureQueriesContext(connection) as first:
        result.first_ms = _once(run)
    result.queries_first = len(first.captured_queries)
    for _ in range(runs):
        result.times_ms.append(_once(run))
    with CaptureQueriesContext(connection) as last:
        _once(run)
    result.queries = max(result.queries_first, len(last.captured_queries))
    return result


def peak_memory_kib(run: Callable[[], None]) -> float:
    """Peak Python memory allocated during one run, in KiB (tracemalloc; slows the run down)."""
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024


def profile_text(run: Callable[[], None], times: int = 3) -> str:
    """Where the time of a few more runs goes, as pyinstrument's call tree (a dev dependency)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    for _ in range(times):
        run()
    profiler.stop()
    return profiler.output_text(unicode=True, color=False)


def run_bench(
    *,
    runs: int,
    only: list[str] | None = None,
    profile: bool = False,
    scale: str = "enterprise",
    log: Callable[[str], None] = print,
) -> dict:
    """Stage, measure every operation (or those whose name contains one of ``only``), tidy up.

    With ``profile``, each operation runs three more times under pyinstrument and its call tree
    goes to ``log``; the measured numbers are not affected.
    """
    staged = stage()
    results: list[Result] = []
    started = machine()
    try:
        with _production_like():
            log("… the worker's work: warming the pages of the newest rounds and every team's keys")
            start = time.perf_counter()
            warmed = warming.due()
            warming_note = f"{warmed} in {time.perf_counter() - start:.1f} s"
            for name, budget, run, note in operations(staged, runs, scale):
                if only and not any(part in name for part in only):
                    continue
                log(f"… {name}")
                op_runs = runs
                if name.startswith("close") and scale == "huge":
                    # Each rolled-back close leaves a round's answers (1.3 million rows) dead in
                    # the table until a vacuum; ten of them would measure the bloat, not a close.
                    _vacuumed(Answer, Response)
                    op_runs = min(runs, CLOSE_RUNS_HUGE)
                result = measure(name, budget, run, op_runs, note)
                if profile and run is not None:
                    log(profile_text(run))
                if name.startswith("CSV") and not result.skipped:
                    one_round = Round.objects.scored().order_by("-closes_at").first()
                    all_peak = peak_memory_kib(run)
                    single = peak_memory_kib(_get(_client(staged.manager), f"/org/rounds/{one_round.pk}.csv"))
                    result.peak_kib = round(all_peak, 1)
                    result.note = (
                        f"streamed; peak Python memory {all_peak:,.0f} KiB for every round, "
                        f"{single:,.0f} KiB for one round"
                    )
                results.append(result)
            pages = {r.name: r for r in results if r.name in FIRST_VIEW_PAGES}
            if pages:
                log("… first views: after a close, after a deployment, after a restart")
                measured = first_views(staged, list(pages))
                after_close = measured.pop("warming after the close")
                warming_note += (
                    f"; after the close of a round of {after_close['teams']} teams, "
                    f"their pages were warm in {after_close['seconds']:.1f} s"
                )
                for name, views in measured.items():
                    pages[name].first_views = views
                    pages[name].first_ms = max(views.values())
    finally:
        tidy(staged)
    ended = machine()
    return {
        "vendor": connection.vendor,
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "scale": scale,
        "warming": warming_note,
        "runs": runs,
        "machine": {**started, "load_average_after": ended["load_average"]},
        "data": data_set(),
        "results": [result.as_dict() for result in results],
        "table": table(results),
    }


# The pages whose first view SPEC §5 holds to the same budget as the warm one, with who opens them.
FIRST_VIEW_PAGES = {"team dashboard": "lead", "org heatmap, all teams": "manager"}


def _page_url(name: str, staged: Stage) -> str:
    return f"/teams/{staged.team.slug}/" if name == "team dashboard" else "/org/"


def first_views(staged: Stage, names: list[str]) -> dict[str, dict[str, float]]:
    """Per page, how long its first view takes in each situation."""
    views: dict[str, dict[str, float]] = {name: {} for name in names}
    clients = {name: _client(getattr(staged, FIRST_VIEW_PAGES[name])) for name in names}

    def first(situation: str) -> None:
        for name in names:
            views[name][situation] = _once(_get(clients[name], _page_url(name, staged)))

    # A round closes (every team's), the worker's tick warms its pages; rolled back afterwards.
    # What the cache kept is keyed on that close's stamp: no later page reads it.
    with transaction.atomic():
        round_close(round=staged.open_round)
        start = time.perf_counter()
        warmed = warming.due()
        views["warming after the close"] = {"teams": warmed["teams"], "seconds": time.perf_counter() - start}
        first("after a close")
        transaction.set_rollback(True)
    # A deployment arrives through the API; the worker's next tick warms the team's pages.
    external_id = f"bench-first-{int(time.time() * 1000)}"
    staged.added_deployments.append(external_id)
    now = timezone.now()
    response = Client().post(
        "/api/v1/deployments",
        json.dumps(
            {
                "service": f"{staged.team.slug}-api",
                "environment": "production",
                "status": "success",
                "deployed_at": now.isoformat(),
                "first_commit_at": (now - timedelta(hours=2)).isoformat(),
                "external_id": external_id,
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {staged.raw_token}",
    )
    if response.status_code != 201:
        raise AssertionError(f"API ingest answered {response.status_code}")
    warming.due()
    first("after a deployment")
    # A restart: a new process loads the WSGI module (as gunicorn does) and serves the pages once.
    # Not inside a transaction (the bench's own tests): another process could not see its data.
    if not connection.in_atomic_block:
        for name, ms in _first_in_a_new_process(staged, names).items():
            views[name]["after a restart"] = ms
    return views


def _first_in_a_new_process(staged: Stage, names: list[str]) -> dict[str, float]:
    import subprocess
    import sys

    script = (
        "import json, sys, time\n"
        "import portal.wsgi\n"
        "from django.conf import settings\n"
        "settings.DEBUG = False  # as the bench measures (_production_like)\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.test import Client\n"
        "out = {}\n"
        "for name, username, url in json.loads(sys.argv[1]):\n"
        "    client = Client()\n"
        "    client.handler.load_middleware()  # what gunicorn does when a worker boots\n"
        "    user = get_user_model().objects.get(username=username)\n"
        f"    client.force_login(user, backend={LOGIN_BACKEND!r})\n"
        "    start = time.perf_counter()\n"
        "    response = client.get(url)\n"
        "    out[name] = (time.perf_counter() - start) * 1000\n"
        "    assert response.status_code == 200, response.status_code\n"
        "print(json.dumps(out))\n"
    )
    pages = [
        (name, getattr(staged, FIRST_VIEW_PAGES[name]).get_username(), _page_url(name, staged))
        for name in names
    ]
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(pages)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise AssertionError(f"the new process failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def data_set() -> dict:
    """How big the measured data set is."""
    from assessments.models import Answer
    from delivery.models import Incident

    counts = {
        "teams": Team.objects.count(),
        "people": get_user_model().objects.count(),
        "rounds": Round.objects.count(),
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
        "deployments": Deployment.objects.count(),
        "incidents": Incident.objects.count(),
    }
    if apps.is_installed("improvements"):
        counts["actions"] = apps.get_model("improvements", "Action").objects.count()
    return counts


class _production_like:
    """DEBUG off while measuring, as in production: no query log, no debug templates."""

    def __enter__(self):
        self._debug = settings.DEBUG
        settings.DEBUG = False

    def __exit__(self, *exc):
        settings.DEBUG = self._debug
        return False
