from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from assessments.services import rounds_close_due


class Command(BaseCommand):
    help = (
        "Close and score every round whose closing date has passed, now. A running worker "
        "(manage.py worker) does this by itself every minute; this is for a one-off."
    )

    def handle(self, *args, **options) -> None:
        closed = len(rounds_close_due())
        self.stdout.write(
            self.style.SUCCESS(
                ngettext("%(n)d round closed and scored.", "%(n)d rounds closed and scored.", closed)
                % {"n": closed}
            )
        )
