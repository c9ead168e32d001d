"""An action's history in one place: django-simple-history's records of Action.

The stage changes move from their own table into those records (a record per change, saying
who and when), and ``StageChange`` becomes a read-only view over the records: one row per change
of stage, the creation as a move from nowhere. For an action whose records already tell the same
stages in the same order (every action moved through the app), nothing is copied. For one whose
records do not (the demo's, loaded in bulk), its records are written again from its stage
changes, each a copy of the action as it is now with that change's stage.
"""

from django.conf import settings
from django.db import migrations, models

VIEW = """
CREATE VIEW improvements_stagechange AS
SELECT history_id AS id, id AS action_id, from_stage, stage AS to_stage,
       history_user_id AS by_id, history_date AS at
FROM (
    SELECT history_id, id, stage, history_user_id, history_date,
           COALESCE(LAG(stage) OVER (PARTITION BY id ORDER BY history_date, history_id), '') AS from_stage
    FROM improvements_historicalaction
    WHERE history_type IN ('+', '~')
) AS records
WHERE from_stage <> stage
"""


def _stages(rows) -> list[str]:
    """The stages of a history in order, one per change."""
    stages = []
    for stage in rows:
        if not stages or stages[-1] != stage:
            stages.append(stage)
    return stages


def records_from_changes(apps, schema_editor):
    Action = apps.get_model("improvements", "Action")
    HistoricalAction = apps.get_model("improvements", "HistoricalAction")
    StageChange = apps.get_model("improvements", "StageChange")
    changes: dict[int, list] = {}
    for change in StageChange.objects.order_by("action_id", "at", "pk"):
        changes.setdefault(change.action_id, []).append(change)
    records: dict[int, list[str]] = {}
    for action_id, stage in (
        HistoricalAction.objects.filter(history_type__in=["+", "~"])
        .order_by("id", "history_date", "history_id")
        .values_list("id", "stage")
    ):
        records.setdefault(action_id, []).append(stage)
    fields = [
        field.attname
        for field in HistoricalAction._meta.concrete_fields
        if not field.name.startswith("history_") and field.attname != "updated_at"
    ]
    for action in Action.objects.filter(pk__in=list(changes)):
        moves = changes[action.pk]
        if _stages(records.get(action.pk, [])) == _stages([move.to_stage for move in moves]):
            continue
        HistoricalAction.objects.filter(id=action.pk).delete()
        HistoricalAction.objects.bulk_create(
            HistoricalAction(
                **{name: getattr(action, name) for name in fields},
                stage=move.to_stage,
                stage_changed_at=move.at,
                history_date=move.at,
                history_type="+" if index == 0 else "~",
                history_user_id=move.by_id,
                history_change_reason="stage change",
            )
            for index, move in enumerate(moves)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("improvements", "0002_team_review"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(records_from_changes, migrations.RunPython.noop),
        migrations.DeleteModel(name="StageChange"),
        migrations.CreateModel(
            name="StageChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "from_stage",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("plan", "Plan"),
                            ("do", "Do"),
                            ("check", "Check"),
                            ("act", "Act"),
                            ("done", "Done"),
                            ("dropped", "Dropped"),
                        ],
                        max_length=10,
                        verbose_name="from",
                    ),
                ),
                (
                    "to_stage",
                    models.CharField(
                        choices=[
                            ("plan", "Plan"),
                            ("do", "Do"),
                            ("check", "Check"),
                            ("act", "Act"),
                            ("done", "Done"),
                            ("dropped", "Dropped"),
                        ],
                        max_length=10,
                        verbose_name="to",
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="at")),
                (
                    "action",
                    models.ForeignKey(
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="stage_changes",
                        to="improvements.action",
                        verbose_name="action",
                        db_constraint=False,
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                        db_constraint=False,
                    ),
                ),
            ],
            options={
                "verbose_name": "stage change",
                "verbose_name_plural": "stage changes",
                "db_table": "improvements_stagechange",
                "ordering": ["action", "at", "pk"],
                "managed": False,
            },
        ),
        migrations.RunSQL(VIEW, "DROP VIEW improvements_stagechange"),
    ]
