from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.demo import seed_rounds
from delivery.demo import seed_delivery
from improvements.demo import seed_actions
from teams.demo import DEMO_PASSWORD, seed_organisation


class Command(BaseCommand):
    help = "Fill the database with the demo organisation and accounts. Idempotent; development only."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DJANGO_DEBUG off: demo accounts with a published "
                "password must never reach a production database."
            )
        with transaction.atomic():
            org = seed_organisation()
            rounds = seed_rounds(org.teams, org.users)
            seed_delivery(org.teams)
            actions = seed_actions(org.teams, org.users)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(org.groups)} groups, {len(org.teams)} teams, {len(rounds)} rounds, "
                f"{actions} improvement actions. "
                f"Sign in as admin, manager, lead or member with the password {DEMO_PASSWORD!r}."
            )
        )
