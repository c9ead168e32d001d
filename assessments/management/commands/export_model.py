import json

from django.core.management.base import BaseCommand, CommandError

from assessments.models import MaturityModel
from assessments.services import model_export


class Command(BaseCommand):
    help = "Write a maturity model as JSON to standard output (the newest version unless --version)."

    def add_base_argument(self, parser, *args, **kwargs) -> None:
        # Our --version selects the model version; Django's own --version would clash with it.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("--model", help="model name (default: the only or newest published model)")
        parser.add_argument(
            "--version", type=int, dest="model_version", help="version number (default: newest)"
        )

    def handle(self, *args, model: str | None, model_version: int | None, **options) -> None:
        models = MaturityModel.objects.all()
        if model:
            models = models.filter(name=model)
        if model_version:
            models = models.filter(version=model_version)
        chosen = models.order_by("-published", "-version").first()
        if chosen is None:
            names = ", ".join(sorted(set(MaturityModel.objects.values_list("name", flat=True)))) or "none"
            raise CommandError(f"No such maturity model. Models here: {names}")
        spec = model_export(model=chosen)
        self.stdout.write(json.dumps(spec.as_dict(), indent=2, ensure_ascii=False))
