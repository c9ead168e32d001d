"""`make load`: a bounded load test with locust against gunicorn on loopback (PostgreSQL, Redis).

It fills a database of its own with the demo data (dropped and made anew each run), starts
gunicorn with production settings and four workers on 127.0.0.1, and lets locust (headless, for
a fixed time) play 20 demo people and one pipeline (devtools/load/locustfile.py). It prints
requests, errors and p50/p95/p99 per kind of request, writes load-results.json, and fails when
any request failed or the p95 or p99 of all requests is over SPEC §5's budget. Only loopback is
contacted.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

ROOT = Path(settings.BASE_DIR)
HOST = "127.0.0.1"
BUDGET_P95_MS, BUDGET_P99_MS = 200, 500


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--users", type=int, default=20, help="people (one pipeline comes on top)")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
        parser.add_argument("--port", type=int, default=8099)

    def handle(self, *args, seconds: int, users: int, workers: int, port: int, **options) -> None:
        if not 1 <= seconds <= 900 or not 1 <= users <= 200:
            raise CommandError("--seconds must be 1–900 and --users 1–200")
        if not settings.DEBUG:
            raise CommandError(
                "make load seeds demo accounts: run it with DJANGO_DEBUG=true (make load does)"
            )
        self.stdout.write(f"Preparing {connection.settings_dict['NAME']} (a fresh database, demo data) …")
        self._fresh_database()
        call_command("migrate", "--no-input", verbosity=0)
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
        # With the production settings, as gunicorn will serve them (WhiteNoise's manifest).
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=self._production_env(),
            check=True,
        )
        plan_file = Path(tempfile.mkstemp(prefix="gemba-load-", suffix=".json")[1])
        plan_file.write_text(json.dumps(self._plan(users)))

        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "portal.wsgi",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self._production_env(),
            start_new_session=True,
        )
        try:
            self._wait_for(port)
            self.stdout.write(
                f"Load: {users} people and 1 pipeline for {seconds} s, {workers} gunicorn workers"
            )
            stats = Path(tempfile.mkdtemp(prefix="gemba-load-")) / "load"
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "locust"),
                    "-f",
                    str(ROOT / "devtools" / "load" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(users + 1),
                    # People arrive over the first ten seconds, as they would, not all in one.
                    "--spawn-rate",
                    str(max(1, (users + 1) // 10)),
                    "--run-time",
                    f"{seconds}s",
                    "--stop-timeout",
                    "10",
                    "--host",
                    f"http://{HOST}:{port}",
                    "--csv",
                    str(stats),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={**os.environ, "GEMBA_LOAD_PEOPLE": str(plan_file)},
                check=False,
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            plan_file.unlink(missing_ok=True)
        self._report(Path(f"{stats}_stats.csv"), seconds, users, workers)

    def _fresh_database(self) -> None:
        """Drop and create the database the settings name (PostgreSQL), or delete its file."""
        database = connection.settings_dict
        if connection.vendor == "sqlite":
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database['NAME']}{suffix}").unlink(missing_ok=True)
            return
        import psycopg

        connection.close()
        maintenance = psycopg.connect(
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        with maintenance:
            name = psycopg.sql.Identifier(database["NAME"])
            maintenance.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            maintenance.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(name))

    def _plan(self, users: int) -> dict:
        """Who the people are (username, team, their open survey), and the pipeline's token."""
        import random

        from assessments.models import Round
        from delivery.services import api_token_create
        from teams.models import Membership, Team

        open_round = Round.objects.open().first()
        covered = set(open_round.teams.values_list("slug", flat=True)) if open_round else set()
        memberships = list(
            Membership.objects.exclude(user__username="admin")
            .select_related("user", "team")
            .order_by("user_id")
        )
        random.Random(7).shuffle(memberships)
        people, seen = [], set()
        for membership in memberships:
            if membership.user_id in seen:
                continue
            seen.add(membership.user_id)
            slug = membership.team.slug
            survey = f"/surveys/{open_round.pk}/{slug}/" if slug in covered else None
            people.append((membership.user.username, slug, survey))
            if len(people) == users:
                break
        _token, raw = api_token_create(team=Team.objects.get(slug="checkout"), name="make load", by=None)
        return {"people": people, "token": raw}

    def _production_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GEMBA_"))}
        env.update(
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
            GEMBA_RESPONDENT_SECRET=secrets.token_urlsafe(64),
            DJANGO_ALLOWED_HOSTS=HOST,
            # Plain HTTP on loopback: no redirect to HTTPS, no HSTS; everything else as in production.
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_SECURE_HSTS_SECONDS="0",
            GEMBA_API_RATE_LIMIT="0",
        )
        return env

    def _wait_for(self, port: int) -> None:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/accounts/login/", timeout=1) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise CommandError(f"gunicorn did not come up on {HOST}:{port}")

    def _report(self, stats_csv: Path, seconds: int, users: int, workers: int) -> None:
        if not stats_csv.exists():
            raise CommandError("locust wrote no statistics: see its output above")
        rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))
        result = {
            "seconds": seconds,
            "users": users,
            "workers": workers,
            "database": connection.vendor,
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "requests": {},
        }
        self.stdout.write(
            f"\n{'request':<16}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        )
        for row in rows:
            name = "all" if row["Name"] == "Aggregated" else row["Name"]
            figures = {
                "count": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
            }
            result["requests"][name] = figures
            self.stdout.write(
                f"{name:<16}{figures['count']:>7}{figures['errors']:>8}"
                f"{figures['p50_ms']:>9.0f}{figures['p95_ms']:>9.0f}{figures['p99_ms']:>9.0f}"
            )
        every = result["requests"].get("all", {"count": 0, "errors": 1, "p95_ms": 0, "p99_ms": 0})
        (ROOT / "load-results.json").write_text(json.dumps(result, indent=2))
        rate = every["count"] / seconds
        self.stdout.write(f"\n{every['count']} requests in {seconds} s ({rate:.1f}/s): load-results.json")
        problems = []
        if every["errors"]:
            problems.append(f"{every['errors']} requests failed")
        if every["p95_ms"] > BUDGET_P95_MS:
            problems.append(f"p95 {every['p95_ms']:.0f} ms is over {BUDGET_P95_MS} ms")
        if every["p99_ms"] > BUDGET_P99_MS:
            problems.append(f"p99 {every['p99_ms']:.0f} ms is over {BUDGET_P99_MS} ms")
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(
            self.style.SUCCESS(f"0 errors, p95 and p99 within {BUDGET_P95_MS} / {BUDGET_P99_MS} ms")
        )
