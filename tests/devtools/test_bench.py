"""manage.py bench on a tiny enterprise data set: the table, the JSON and a clean database after."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Participation, Response
from delivery.models import ApiToken, Deployment
from devtools.bench import Budget, Result, percentile, table

OPERATIONS = [
    "team dashboard",
    "org heatmap, all teams",
    "survey page",
    "survey submit, 40 answers",
    "close a round of all teams",
    "CSV export, all rounds",
    "API ingest, one deployment",
    "webhook ingest, one GitHub deployment",
    "metrics API",
    "action board",
]


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 95) == 10
    assert percentile(values, 50) == 5
    assert percentile([3.0], 95) == 3


def test_result_checks_time_and_queries_against_the_budget():
    fast = Result("page", Budget(100, 5), times_ms=[50, 60, 70], queries=5)
    slow = Result("page", Budget(100, 5), times_ms=[150, 160, 170], queries=5)
    chatty = Result("page", Budget(100, 5), times_ms=[50], queries=6)
    assert fast.within_budget and not slow.within_budget and not chatty.within_budget
    assert Result("x", Budget(), skipped="n/a").within_budget is None


def test_table_lists_every_result_with_its_budget():
    text = table(
        [
            Result("team dashboard", Budget(150, 20), times_ms=[12.0, 14.0], first_ms=30.0, queries=9),
            Result("action board", Budget(), skipped="n/a (improvements not merged)"),
        ]
    )
    assert "team dashboard" in text and "13.0 ms" in text and "≤ 150 ms, ≤ 20 q" in text and "yes" in text
    assert "n/a (improvements not merged)" in text


@pytest.fixture
def bench_run(db, settings, tiny_scale, tmp_path):
    settings.DEBUG = True
    output = tmp_path / "bench.json"
    out = StringIO()
    call_command("bench", runs=2, output=output, stdout=out, stderr=StringIO())
    return out.getvalue(), json.loads(output.read_text())


def test_bench_seeds_measures_and_writes_json(bench_run):
    text, report = bench_run
    assert [r["name"] for r in report["results"]] == OPERATIONS
    assert report["vendor"] in {"sqlite", "postgresql"}
    assert report["data"]["teams"] == 4 and report["data"]["answers"] > 0 and report["data"]["actions"] > 0
    assert {"cpu", "cores", "database", "load_average"} <= set(report["machine"])
    for result in report["results"]:
        assert (
            len(result["times_ms"]) == 2
            and result["median_ms"] > 0
            and result["p95_ms"] >= result["median_ms"]
        )
        assert result["first_ms"] > 0 and result["queries"] is not None
    by_name = {r["name"]: r for r in report["results"]}
    assert by_name["CSV export, all rounds"]["peak_kib"] > 0
    assert not by_name["action board"]["skipped"]
    assert by_name["survey page"]["budget"] == {"ms": 80, "queries": 15}
    for name in OPERATIONS:
        assert name in text
    assert report["table"] in text


def test_bench_takes_out_what_it_added(bench_run):
    assert not ApiToken.objects.filter(name="make bench").exists()
    assert not Deployment.objects.filter(external_id__startswith="bench-").exists()
    # The open round keeps only the seeded responses: one per participation.
    assert Response.objects.count() == Participation.objects.count()


def test_bench_keeps_to_its_query_budgets_on_the_tiny_set(bench_run):
    _, report = bench_run
    for result in report["results"]:
        budget = result["budget"]["queries"]
        if budget is not None:
            assert result["queries"] <= budget, result["name"]


def test_bench_refuses_a_database_with_other_data(db, settings, tiny_scale):
    from tests.factories import TeamFactory

    TeamFactory()
    with pytest.raises(CommandError, match="other data"):
        call_command("bench", runs=1, stdout=StringIO(), stderr=StringIO())


def test_bench_profile_prints_where_the_time_goes(db, settings, tiny_scale, tmp_path):
    settings.DEBUG = True
    err = StringIO()
    call_command(
        "bench",
        runs=1,
        only=["survey page"],
        profile=True,
        output=tmp_path / "b.json",
        stdout=StringIO(),
        stderr=err,
    )
    assert "survey_take" in err.getvalue()
