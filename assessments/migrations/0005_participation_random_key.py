"""Participations get a random UUID key, like responses (see Participation's docstring).

The table is rebuilt: a new one with the UUID key, existing rows copied over in random order
(so not even their storage order follows the order people took part in), the old one dropped.
"""

import random
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_shuffled(apps, schema_editor, source="Participation", target="NewParticipation"):
    Source, Target = apps.get_model("assessments", source), apps.get_model("assessments", target)
    rows = list(Source.objects.values_list("user_id", "round_id", "team_id"))
    random.SystemRandom().shuffle(rows)
    Target.objects.bulk_create(
        (Target(user_id=user_id, round_id=round_id, team_id=team_id) for user_id, round_id, team_id in rows),
        batch_size=2000,
    )


def copy_back(apps, schema_editor):
    copy_shuffled(apps, schema_editor, source="NewParticipation", target="Participation")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_answers_purged_at"),
        ("teams", "0001_initial"),
        # RenameModel renames the content type: it needs the ContentType of today.
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NewParticipation",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="assessments.round"
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="teams.team"
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_shuffled, copy_back),
        migrations.DeleteModel(name="Participation"),
        migrations.RenameModel(old_name="NewParticipation", new_name="Participation"),
        migrations.AlterModelOptions(
            name="participation",
            options={"ordering": ["id"], "verbose_name": "participation", "verbose_name_plural": "participations"},
        ),
        migrations.AlterField(
            model_name="participation",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="participations",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.AlterField(
            model_name="participation",
            name="round",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="participations", to="assessments.round"
            ),
        ),
        migrations.AlterField(
            model_name="participation",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="participations", to="teams.team"
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.UniqueConstraint(
                fields=("user", "round", "team"), name="participation_unique_user_round_team"
            ),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(fields=["round", "team"], name="participation_round_team"),
        ),
    ]
