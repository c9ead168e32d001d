from django.core.management.base import BaseCommand, CommandError

from assessments.models import Round
from assessments.services import scores_store


class Command(BaseCommand):
    help = "Recompute the stored scores of closed rounds from their answers (all, or --round ID)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--round", type=int, dest="round_id")

    def handle(self, *args, round_id: int | None, **options) -> None:
        rounds = Round.objects.scored().filter(answers_purged_at__isnull=True).select_related("model")
        if round_id is not None:
            rounds = rounds.filter(pk=round_id)
            if not rounds.exists():
                raise CommandError(
                    f"Round {round_id} does not exist, is not closed and scored yet, or its answers were "
                    "purged (retention): its stored scores are then kept as they are."
                )
        count = 0
        for round_ in rounds:
            scores_store(round=round_)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Scores of {count} rounds rebuilt."))
