import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.model_file import translations_report
from assessments.models import DimensionReliability, MaturityModel
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
        parser.add_argument(
            "--reliability",
            action="store_true",
            help="add Cronbach's alpha and item-rest correlations of the version's closed rounds "
            "(for reading; import_model ignores them)",
        )

    def handle(
        self, *args, model: str | None, model_version: int | None, reliability: bool = False, **options
    ) -> None:
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
        data = spec.as_dict()
        if reliability:
            data["reliability"] = _reliability(chosen)
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        # Standard error, so the JSON on standard output stays a file of its own.
        self.stderr.write(f"{chosen.name} v{chosen.version}, written in {spec.language}. Translations:")
        for line in translations_report(spec, [code for code, _name in settings.LANGUAGES]):
            self.stderr.write(f"  {line}")


def _reliability(model: MaturityModel) -> list[dict]:
    """Per closed round, newest first: each dimension's alpha and its questions' figures."""
    rounds: dict[int, dict] = {}
    for row in DimensionReliability.objects.for_model(model):
        entry = rounds.setdefault(
            row.round_id,
            {"round": row.round.name, "closed": row.round.ended_at.isoformat(), "dimensions": []},
        )
        entry["dimensions"].append(
            {
                "key": row.dimension_key,
                "complete_responses": row.responses,
                "alpha": _rounded(row.alpha),
                "questions": [
                    {
                        "key": q.question_key,
                        "item_rest": _rounded(q.item_rest),
                        "alpha_if_deleted": _rounded(q.alpha_if_deleted),
                        "pulls_down": q.pulls_down,
                    }
                    for q in row.questions.all()
                ],
            }
        )
    return list(rounds.values())


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
