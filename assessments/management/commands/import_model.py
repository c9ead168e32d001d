import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.model_file import ModelFileError, parse_model, translations_report
from assessments.services import model_import


class Command(BaseCommand):
    help = "Import a maturity model from a JSON file as a new, unpublished version."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise CommandError(f"{file}: no such file") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{file}: not valid UTF-8 JSON ({error})") from error
        try:
            spec = parse_model(data)
        except ModelFileError as error:
            raise CommandError(f"{file}: nothing imported.\n  - " + "\n  - ".join(error.errors)) from error
        model = model_import(spec=spec)
        questions = sum(len(d.questions) for d in spec.dimensions)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {model.name} version {model.version}: {len(spec.dimensions)} dimensions, "
                f"{questions} questions. Publish it in the admin to use it in rounds."
            )
        )
        self.stdout.write(f"Written in {spec.language}. Translations (a round offers the complete ones):")
        for line in translations_report(spec, [code for code, _name in settings.LANGUAGES]):
            self.stdout.write(f"  {line}")
