from django.core.management.base import BaseCommand

from assessments.models import ReminderBatch, Round
from assessments.scheduling import reminders_queue


class Command(BaseCommand):
    help = (
        "Queue a reminder email to members who have not yet taken part in each open round, within "
        "each round's limits (at most N per person, a least gap between two); the worker sends them. "
        "Scheduled rounds remind by themselves."
    )

    def handle(self, *args, **options) -> None:
        total = 0
        for round_ in Round.objects.open().select_related("schedule").prefetch_related("teams"):
            batch = reminders_queue(round=round_, teams=round_.teams.all(), kind=ReminderBatch.Kind.LEAD)
            total += batch.queued
            self.stdout.write(f"{round_.name}: {batch.queued} reminders queued, {batch.skipped} left out")
        self.stdout.write(self.style.SUCCESS(f"{total} reminders queued."))
