import json
import warnings
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools import bench
from devtools.management.commands import seed_demo
from devtools.seeds.organisation import enterprise_teams
from teams.models import Team


class Command(BaseCommand):
    help = (
        "Measure the pages and operations of SPEC §5 on the enterprise data set (seeded first when "
        "the database has none); prints a table against the budgets and writes bench-results-<vendor>.json."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=10, help="timed runs after the warm-up (default 10)")
        parser.add_argument("--only", action="append", help="only operations whose name contains this")
        parser.add_argument("--output", type=Path, help="JSON file (default: bench-results-<vendor>.json)")
        parser.add_argument(
            "--profile", action="store_true", help="print where each operation's time goes (pyinstrument)"
        )
        parser.add_argument(
            "--no-seed", action="store_true", help="fail instead of seeding when the data set is missing"
        )
        parser.add_argument(
            "--scale",
            choices=list(seed_demo.SCALES),
            default="enterprise",
            help="the data set: enterprise (400 teams, default) or huge (4,000 teams, PostgreSQL)",
        )

    def handle(
        self, *args, runs: int, only, output: Path | None, no_seed: bool, profile: bool, scale: str, **options
    ) -> None:
        # The test client serves no collected static files; WhiteNoise's note about that is noise here.
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        if runs < 1:
            raise CommandError("--runs must be 1 or more.")
        data_set = seed_demo.scale_named(scale)
        if enterprise_teams(data_set).count() < data_set.groups * data_set.teams_per_group:
            if Team.objects.exists():
                raise CommandError(
                    "This database holds other data, not the enterprise data set: point DATABASE_URL at "
                    "a database of its own, e.g. sqlite:///bench.sqlite3 (make bench does)."
                )
            if no_seed:
                raise CommandError(f"No {scale} data set here: run `manage.py seed_demo --scale {scale}`.")
            self.stdout.write(f"No data set here yet: seeding the {scale} data set first.")
            call_command("seed_demo", scale=scale, stdout=self.stdout, stderr=self.stderr)
        try:
            report = bench.run_bench(
                runs=runs, only=only, profile=profile, scale=scale, log=lambda line: self.stderr.write(line)
            )
        except bench.NoData as error:
            raise CommandError(f"This database does not hold the enterprise data set: {error}.") from error
        suffix = "" if scale == "enterprise" else f"-{scale}"
        output = output or Path(settings.BASE_DIR) / f"bench-results-{connection.vendor}{suffix}.json"
        output.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
        info = report["machine"]
        self.stdout.write(
            f"\n{report['data']['teams']} teams, {report['data']['answers']:,} answers, "
            f"{report['data']['deployments']:,} deployments on {info['database']}; "
            f"{info['cpu']}, {info['cores']} cores, load {info['load_average']}; "
            f"median and p95 of {runs} runs after a warm-up; first = the slowest first view (after a "
            f"close, a deployment, a restart), else the warm-up.\nThe worker's work: {report['warming']}.\n"
        )
        self.stdout.write(report["table"])
        self.stdout.write(f"\nWritten to {output}")
