from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from assessments.models import Round
from devtools.bulk import Progress, fast_loading, foreign_keys_checked_once
from devtools.seeds.actions import seed_actions, seed_enterprise_actions
from devtools.seeds.delivery import seed_delivery, seed_enterprise_delivery
from devtools.seeds.organisation import (
    DEMO_PASSWORD,
    EnterpriseScale,
    enterprise_teams,
    seed_enterprise_organisation,
    seed_organisation,
)
from devtools.seeds.rounds import seed_enterprise_rounds, seed_rounds, seed_schedule
from teams.models import Team

# What the large seeds load in bulk: their foreign keys are checked once, after the load.
BULK_LOADED = [
    apps.get_model(label)
    for label in (
        "assessments.Answer",
        "assessments.Response",
        "assessments.Comment",
        "assessments.Participation",
        "assessments.DimensionScore",
        "assessments.QuestionDistribution",
        "assessments.TeamScore",
        "delivery.Deployment",
        "delivery.Incident",
        "improvements.Action",
        "improvements.Experiment",
        "teams.Membership",
    )
]
# The data sets `make bench` measures (SPEC §5). Tests patch them with tiny ones.
ENTERPRISE = EnterpriseScale()
HUGE = EnterpriseScale(groups=400, deployments=2_000_000, actions=200_000)
SCALES = {"enterprise": "ENTERPRISE", "huge": "HUGE"}


def scale_named(name: str) -> EnterpriseScale:
    """The data set of that name, as this module holds it now (tests patch it)."""
    return globals()[SCALES[name]]


class Command(BaseCommand):
    help = (
        "Fill the database with the demo organisation and accounts (idempotent), or with "
        "--scale enterprise or huge the large data sets `make bench` measures. Development only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale",
            choices=["demo", "enterprise", "huge"],
            default="demo",
            help="demo (default): 12 teams; enterprise: 400 teams, 12 rounds, ~1.5 M answers, "
            "200 k deployments, 20 k actions; huge: 4,000 teams in 400 groups, 40,000 people, "
            "~16 M answers, 2 M deployments, 200 k actions (PostgreSQL); both into an empty database",
        )

    def handle(self, *args, scale: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DJANGO_DEBUG off: demo accounts with a published "
                "password must never reach a production database."
            )
        if scale in SCALES:
            if scale == "huge" and connection.vendor != "postgresql":
                raise CommandError("The huge data set is for PostgreSQL: set DATABASE_URL to one.")
            self._enterprise(scale_named(scale))
            return
        with transaction.atomic():
            org = seed_organisation()
            rounds = seed_rounds(org.teams, org.users)
            seed_schedule(org.teams, org.users["lead"])
            seed_delivery(org.teams)
            actions = seed_actions(org.teams, org.users)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(org.groups)} groups, {len(org.teams)} teams, {len(rounds)} rounds, "
                f"{actions} improvement actions. "
                f"Sign in as admin, manager, lead or member with the password {DEMO_PASSWORD!r}."
            )
        )

    def _enterprise(self, scale: EnterpriseScale) -> None:
        teams = scale.groups * scale.teams_per_group
        if enterprise_teams(scale).count() >= teams and Round.objects.scored().count() >= scale.rounds:
            self.stdout.write(f"The enterprise data set is already here ({teams} teams): nothing to do.")
            return
        if Team.objects.exists() or Round.objects.exists():
            raise CommandError(
                "This database already has teams or rounds (the small demo, or real data). The "
                "enterprise data set goes into an empty, migrated database of its own, e.g. "
                "DATABASE_URL=sqlite:///bench.sqlite3 (see `make bench`)."
            )
        # Units of work for the bar: the organisation 2, each round 3, delivery 11, actions 3.
        progress = Progress(2 + 3 * (scale.rounds + 1) + 11 + 3, stream=self.stderr)
        with fast_loading(), transaction.atomic(), foreign_keys_checked_once(BULK_LOADED):
            progress.stage("organisation: groups, teams, people")
            org = seed_enterprise_organisation(scale, progress=progress)
            rounds = seed_enterprise_rounds(
                org.teams,
                org.capability,
                rounds=scale.rounds,
                responses_per_team=scale.responses_per_team,
                progress=progress,
            )
            progress.stage("delivery: deployments and incidents")
            delivery = seed_enterprise_delivery(
                org.teams, org.capability, deployments=scale.deployments, progress=progress
            )
            progress.stage("improvement actions")
            actions = seed_enterprise_actions(org.teams, count=scale.actions, progress=progress)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seconds = progress.done("done")
        self.stdout.write(
            self.style.SUCCESS(
                f"Enterprise data ready in {seconds:.0f} s: {len(org.groups)} groups, "
                f"{len(org.teams)} teams, "
                f"{len(rounds)} rounds, {delivery.deployments} deployments, {delivery.incidents} incidents, "
                f"{actions} improvement actions. "
                f"Sign in as admin, manager, lead or member with the password {DEMO_PASSWORD!r}."
            )
        )
