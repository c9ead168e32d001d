"""Ships Gemba's first default maturity model (assessments/shipped/devops-maturity-v1.json), published."""

import json
from pathlib import Path

from django.db import migrations

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "shipped" / "devops-maturity-v1.json"


def create_default_model(apps, schema_editor):
    MaturityModel = apps.get_model("assessments", "MaturityModel")
    Dimension = apps.get_model("assessments", "Dimension")
    Question = apps.get_model("assessments", "Question")
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    if MaturityModel.objects.filter(name=data["name"], version=data["version"]).exists():
        return
    model = MaturityModel.objects.create(
        name=data["name"],
        version=data["version"],
        description=data["description"],
        published=True,
        scale_points=data["scale"]["points"],
        scale_labels=data["scale"]["labels"],
        levels=data["levels"],
    )
    for order, dimension_data in enumerate(data["dimensions"], start=1):
        dimension = Dimension.objects.create(
            model=model,
            key=dimension_data["key"],
            name=dimension_data["name"],
            description=dimension_data["description"],
            order=order,
            weight=dimension_data["weight"],
        )
        Question.objects.bulk_create(
            Question(
                dimension=dimension,
                key=question["key"],
                text=question["text"],
                help_text=question["help"],
                order=position,
                reverse=question["reverse"],
            )
            for position, question in enumerate(dimension_data["questions"], start=1)
        )


def remove_default_model(apps, schema_editor):
    MaturityModel = apps.get_model("assessments", "MaturityModel")
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    MaturityModel.objects.filter(name=data["name"], version=data["version"], rounds__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(create_default_model, remove_default_model)]
