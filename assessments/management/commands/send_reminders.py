from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from assessments.models import Round
from assessments.services import reminders_send


class Command(BaseCommand):
    help = "Email members who have not yet taken part in an open round (run it from cron, e.g. weekly)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "GEMBA_BASE_URL", ""),
            help="e.g. https://gemba.example.com",
        )

    def handle(self, *args, base_url: str, **options) -> None:
        url = base_url.rstrip("/") + reverse("survey_list")
        total = 0
        for round_ in Round.objects.open().prefetch_related("teams"):
            sent = reminders_send(round=round_, teams=round_.teams.all(), survey_url=url)
            total += sent
            self.stdout.write(f"{round_.name}: {sent} reminders")
        self.stdout.write(self.style.SUCCESS(f"{total} reminders sent."))
