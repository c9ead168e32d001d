"""`make load`: a bounded load test of Gemba under gunicorn on loopback, with the demo data.

It prepares its own SQLite database (load.sqlite3: migrate + seed_demo), collects static files,
starts gunicorn with production settings on 127.0.0.1, signs in N demo people and lets each of
them, for a fixed time, do what people do — open home, their team dashboard, the org heatmap,
the action board, the survey page, submit the survey — while one pipeline reports deployments
through the API. Each virtual user waits 0.3–1.2 s between requests, like a person clicking.
It prints requests, errors and p50/p95/p99 per kind of request and overall, and writes
load-results.json. Only loopback is ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST, PORT = "127.0.0.1", 8099
DATABASE = ROOT / "load.sqlite3"
PASSWORD = "gemba-demo"
# What people do, with weights.
MIX = {
    "home": 25,
    "team dashboard": 20,
    "org heatmap": 12,
    "action board": 10,
    "survey page": 10,
    "survey submit": 10,
    "api ingest": 13,
}


def environment(production: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GEMBA_", "DATABASE_URL"))}
    env["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    if production:
        env.update(
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
            GEMBA_RESPONDENT_SECRET=secrets.token_urlsafe(64),
            DJANGO_ALLOWED_HOSTS=HOST,
            # Plain HTTP on loopback: no redirect to HTTPS, no HSTS. Everything else as in production.
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_SECURE_HSTS_SECONDS="0",
            GEMBA_API_RATE_LIMIT="100000",
        )
    else:
        env["DJANGO_DEBUG"] = "true"
    return env


def manage(*args: str, production: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=environment(production), capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


class Browser:
    """One person: keeps cookies by hand (session cookies are Secure; this is plain HTTP on loopback)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(HOST, PORT, timeout=30)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
            raise
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content.decode("utf-8", "replace")

    def form_post(self, path: str, fields: list[tuple[str, str]]):
        body = urllib.parse.urlencode(fields)
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def sign_in(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _ = self.form_post(
            "/accounts/login/",
            [("csrfmiddlewaretoken", token), ("username", username), ("password", PASSWORD)],
        )
        if status != 302:
            raise RuntimeError(f"{username} could not sign in ({status})")


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                self.errors[kind].append(error)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def person(username: str, team: str, survey: str | None, stats: Stats, stop: float, seed: int) -> None:
    rng = random.Random(seed)
    browser = Browser()
    browser.sign_in(username)
    kinds = [k for k in MIX if k != "api ingest" and (survey or not k.startswith("survey"))]
    weights = [MIX[k] for k in kinds]
    while time.monotonic() < stop:
        kind = rng.choices(kinds, weights)[0]
        started = time.perf_counter()
        error = None
        try:
            if kind == "home":
                status, _ = browser.request("GET", "/")
                expected = 200
            elif kind == "team dashboard":
                status, _ = browser.request("GET", f"/teams/{team}/")
                expected = 200
            elif kind == "org heatmap":
                status, _ = browser.request("GET", "/org/")
                expected = 200
            elif kind == "action board":
                status, _ = browser.request("GET", f"/teams/{team}/actions/")
                expected = 200
            elif kind == "survey page":
                status, _ = browser.request("GET", survey)
                expected = 200
            else:
                status, page = browser.request("GET", survey)
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
                questions = sorted(set(re.findall(r'name="(q\d+)"', page)))
                fields = [("csrfmiddlewaretoken", token), ("action", "submit")]
                fields += [(q, str(rng.randint(1, 7))) for q in questions]
                started = time.perf_counter()  # time the submit itself
                status, _ = browser.form_post(survey, fields)
                expected = 302
            if status != expected:
                error = f"{kind}: HTTP {status}"
        except Exception as exc:  # noqa: BLE001 - every failure counts as an error in the report
            error = f"{kind}: {exc!r}"
        stats.add(kind, time.perf_counter() - started, error)
        time.sleep(rng.uniform(0.3, 1.2))


def pipeline(token: str, stats: Stats, stop: float) -> None:
    rng = random.Random(99)
    browser = Browser()
    n = 0
    while time.monotonic() < stop:
        n += 1
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        body = json.dumps(
            {
                "service": "checkout-api",
                "environment": "production",
                "deployed_at": now,
                "first_commit_at": now,
                "status": "success",
                "external_id": f"load-{os.getpid()}-{n}",
            }
        )
        started = time.perf_counter()
        error = None
        try:
            status, _ = browser.request(
                "POST",
                "/api/v1/deployments",
                body,
                {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            )
            if status != 201:
                error = f"api ingest: HTTP {status}"
        except Exception as exc:  # noqa: BLE001
            error = f"api ingest: {exc!r}"
        stats.add("api ingest", time.perf_counter() - started, error)
        time.sleep(rng.uniform(0.3, 1.2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not 1 <= args.seconds <= 900 or not 1 <= args.users <= 200:
        sys.exit("--seconds must be 1–900 and --users 1–200")

    print(f"Preparing {DATABASE.name} (migrate, seed_demo) and static files …", flush=True)
    manage("migrate", "--no-input", "-v0")
    manage("seed_demo")
    manage("collectstatic", "--no-input", "-v0", production=True)
    token = manage("create_api_token", "checkout", f"load test {int(time.time())}").strip().splitlines()[-1]

    os.environ.update(environment(production=False))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from assessments.models import Round
    from teams.models import Membership

    open_round = Round.objects.open().first()
    covered = set(open_round.teams.values_list("slug", flat=True)) if open_round else set()
    memberships = list(
        Membership.objects.exclude(user__username__in=["admin"])
        .select_related("user", "team")
        .order_by("user_id")
    )
    rng = random.Random(7)
    rng.shuffle(memberships)
    people = []
    seen = set()
    for membership in memberships:
        if membership.user_id in seen:
            continue
        seen.add(membership.user_id)
        slug = membership.team.slug
        survey = f"/surveys/{open_round.pk}/{slug}/" if slug in covered else None
        people.append((membership.user.username, slug, survey))
        if len(people) == args.users:
            break

    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment(production=True),
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                connection = http.client.HTTPConnection(HOST, PORT, timeout=1)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("gunicorn did not come up on 127.0.0.1:8099")

        print(
            f"Load: {len(people)} people + 1 pipeline for {args.seconds} s, {args.workers} gunicorn workers"
        )
        stats = Stats()
        stop = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=person, args=(*p, stats, stop, i), daemon=True)
            for i, p in enumerate(people)
        ]
        threads.append(threading.Thread(target=pipeline, args=(token, stats, stop), daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 60)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    report(stats, args)


def report(stats: Stats, args) -> None:
    rows = []
    every: list[float] = []
    for kind in MIX:
        times = stats.times.get(kind, [])
        every += times
        if times:
            rows.append((kind, times, len(stats.errors.get(kind, []))))
    errors = sum(len(e) for e in stats.errors.values())
    print(f"\n{'request':<16}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    result = {"seconds": args.seconds, "users": args.users, "workers": args.workers, "requests": {}}
    for kind, times, errs in [*rows, ("all", every, errors)]:
        p50, p95, p99 = (percentile(times, p) * 1000 for p in (50, 95, 99))
        print(f"{kind:<16}{len(times):>7}{errs:>8}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}")
        result["requests"][kind] = {
            "count": len(times),
            "errors": errs,
            "p50_ms": p50,
            "p95_ms": p95,
            "p99_ms": p99,
        }
    print(f"\n{len(every)} requests in {args.seconds} s ({len(every) / args.seconds:.1f}/s), {errors} errors")
    if every:
        print(f"mean {statistics.mean(every) * 1000:.0f} ms")
    for messages in stats.errors.values():
        for message in sorted(set(messages))[:5]:
            print(f"  error: {message}")
    (ROOT / "load-results.json").write_text(json.dumps(result, indent=2))
    print("Written load-results.json")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
