"""Rows in bulk: they go in through the database's constraints, with the driver's types."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError

from assessments.models import Answer, Response, Round
from bulk_rows import bulk_insert
from delivery.models import Deployment
from devtools.seeds.delivery import BULK_DEPLOYMENT_DEFAULTS, BULK_DEPLOYMENT_FIELDS
from tests.factories import make_model, make_round


def test_bulk_insert_takes_uuids_and_foreign_keys(team):
    model = make_model()
    round_ = make_round(model=model, teams=[team])
    response = Response.objects.create(round=round_, team=team, respondent_key="k", status="submitted")
    question = model.dimensions.first().questions.first()
    assert (
        bulk_insert(Answer, ["response", "question", "value", "special"], [(response.pk, question.pk, 3, "")])
        == 1
    )
    assert Answer.objects.get(response=response).value == 3


def test_bulk_insert_takes_aware_datetimes(team):
    moment = datetime(2025, 3, 1, 12, tzinfo=UTC)
    fields = ["team", "service", "environment", "deployed_at", "first_commit_at", "status", "is_rework"]
    rows = [
        (
            team.pk,
            "web",
            "production",
            moment,
            moment,
            "success",
            False,
            "x-1",
            moment,
            *BULK_DEPLOYMENT_DEFAULTS,
        )
    ]
    columns = [*fields, "external_id", "created_at", *BULK_DEPLOYMENT_FIELDS]
    assert bulk_insert(Deployment, columns, iter(rows)) == 1
    assert Deployment.objects.get(external_id="x-1").deployed_at == moment


def test_bulk_insert_keeps_the_constraints(team):
    model = make_model()
    round_ = make_round(model=model, teams=[team])
    response = Response.objects.create(round=round_, team=team, respondent_key="k", status="submitted")
    question = model.dimensions.first().questions.first()
    with pytest.raises(IntegrityError):
        # Neither a value nor a special answer: the check constraint refuses it.
        bulk_insert(
            Answer, ["response", "question", "value", "special"], [(response.pk, question.pk, None, "")]
        )


def test_bulk_insert_of_nothing(db):
    assert bulk_insert(Round.teams.through, ["round", "team"], []) == 0
