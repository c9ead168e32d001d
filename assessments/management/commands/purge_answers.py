from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.services import answers_purge


class Command(BaseCommand):
    help = (
        "Retention: delete the raw answers, comments and participations of rounds that ended more than "
        "GEMBA_ANSWER_RETENTION_YEARS years ago (off when 0). Stored scores and dashboards stay."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--years", type=int, help="override GEMBA_ANSWER_RETENTION_YEARS for this run")

    def handle(self, *args, years: int | None, **options) -> None:
        years = settings.GEMBA_ANSWER_RETENTION_YEARS if years is None else years
        if not years:
            self.stdout.write("Retention is off (GEMBA_ANSWER_RETENTION_YEARS=0): nothing purged.")
            return
        if years < 1:
            raise CommandError("--years must be 1 or more.")
        purged = answers_purge(older_than_years=years)
        self.stdout.write(
            self.style.SUCCESS(f"Raw answers of {purged} rounds older than {years} years purged.")
        )
