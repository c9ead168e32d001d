"""Backup and restore as the README documents it: dumpdata, then loaddata into an empty database."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from assessments.models import DimensionScore, TeamScore

# The README's backup command, as call_command arguments.
BACKUP_ARGS = [
    "--natural-foreign",
    "--natural-primary",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--exclude=sessions",
    "--exclude=axes",
]


def snapshot() -> dict:
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"contenttypes", "sessions", "axes"}
        and model._meta.label != "auth.Permission"
    }
    aggregates = list(
        TeamScore.objects.order_by("round_id", "team_id").values_list("round_id", "team_id", "index")
    )
    dimensions = list(
        DimensionScore.objects.order_by("round_id", "team_id", "dimension_key").values_list(
            "dimension_key", "mean"
        )
    )
    return {"counts": counts, "team_scores": aggregates, "dimension_scores": dimensions}


@pytest.mark.django_db(transaction=True)
def test_demo_data_round_trips_with_identical_counts_and_aggregates(settings, tmp_path):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    before = snapshot()
    assert before["counts"]["assessments.Answer"] > 10_000
    backup = tmp_path / "backup.json.gz"
    call_command("dumpdata", *BACKUP_ARGS, output=str(backup), stdout=StringIO())

    call_command("flush", interactive=False, stdout=StringIO())
    assert snapshot()["counts"]["assessments.Answer"] == 0

    call_command("loaddata", str(backup), stdout=StringIO())
    assert snapshot() == before
    # The restored database keeps working: new rows get fresh keys.
    from tests.factories import TeamFactory

    TeamFactory()
