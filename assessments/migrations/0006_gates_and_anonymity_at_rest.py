"""Per-question gate (people who answered on the scale) and anonymity at rest for closed rounds.

Rounds that closed before this migration still hold their respondent keys and rows in the order
people answered: they are rewritten here as ``round_anonymise`` rewrites every round at its close
(a frozen copy of it, written against the historical models).
"""

import secrets
import uuid

from django.db import migrations, models


def backfill_answered(apps, schema_editor):
    QuestionDistribution = apps.get_model("assessments", "QuestionDistribution")
    changed = []
    for distribution in QuestionDistribution.objects.only("pk", "counts").iterator(chunk_size=2000):
        distribution.answered = sum(distribution.counts or [])
        changed.append(distribution)
    QuestionDistribution.objects.bulk_update(changed, ["answered"], batch_size=2000)


def anonymise_closed_rounds(apps, schema_editor):
    Round = apps.get_model("assessments", "Round")
    Response = apps.get_model("assessments", "Response")
    Answer = apps.get_model("assessments", "Answer")
    Comment = apps.get_model("assessments", "Comment")
    shuffle = secrets.SystemRandom().shuffle
    for round_id in Round.objects.filter(scored_at__isnull=False).values_list("pk", flat=True):
        Response.objects.filter(round_id=round_id, status="draft").delete()
        responses = list(Response.objects.filter(round_id=round_id).values_list("pk", "team_id", "status"))
        answers = list(
            Answer.objects.filter(response__round_id=round_id).values_list(
                "response_id", "question_id", "value", "special"
            )
        )
        comments = list(
            Comment.objects.filter(response__round_id=round_id).values_list("response_id", "dimension_id", "text")
        )
        Answer.objects.filter(response__round_id=round_id).delete()
        Comment.objects.filter(response__round_id=round_id).delete()
        Response.objects.filter(round_id=round_id).delete()
        for rows in (responses, answers, comments):
            shuffle(rows)
        fresh = {old: uuid.uuid4() for old, _team, _status in responses}
        Response.objects.bulk_create(
            [Response(id=fresh[old], round_id=round_id, team_id=team, status=status) for old, team, status in responses],
            batch_size=2000,
        )
        Answer.objects.bulk_create(
            [Answer(response_id=fresh[old], question_id=q, value=v, special=sp) for old, q, v, sp in answers],
            batch_size=2000,
        )
        Comment.objects.bulk_create(
            [Comment(response_id=fresh[old], dimension_id=d, text=t) for old, d, t in comments], batch_size=2000
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_participation_random_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="questiondistribution",
            name="answered",
            field=models.PositiveIntegerField(default=0, verbose_name="answered on the scale"),
        ),
        migrations.AlterField(
            model_name="response",
            name="respondent_key",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(backfill_answered, migrations.RunPython.noop),
        migrations.RunPython(anonymise_closed_rounds, migrations.RunPython.noop),
    ]
