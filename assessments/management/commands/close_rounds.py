from django.core.management.base import BaseCommand

from assessments.services import rounds_close_due


class Command(BaseCommand):
    help = "Close and score every round whose closing date has passed (run it from cron, e.g. hourly)."

    def handle(self, *args, **options) -> None:
        closed = rounds_close_due()
        self.stdout.write(self.style.SUCCESS(f"{closed} rounds closed and scored."))
