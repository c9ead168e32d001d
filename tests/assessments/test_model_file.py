import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.model_file import ModelFileError, parse_model
from assessments.models import Dimension, MaturityModel, Question

DEFAULT = "Gemba DevOps maturity"


@pytest.fixture
def exported(default_model) -> dict:
    out = StringIO()
    call_command("export_model", "--model", DEFAULT, stdout=out)
    return json.loads(out.getvalue())


def test_default_model_ships_eight_dimensions_of_four_to_six_questions(exported):
    assert exported["name"] == DEFAULT and exported["version"] == 1
    assert exported["scale"]["points"] == 7 and len(exported["scale"]["labels"]) == 7
    assert [level["min_index"] for level in exported["levels"]] == [0, 20, 40, 60, 80]
    keys = [d["key"] for d in exported["dimensions"]]
    assert keys == [
        "culture",
        "cicd",
        "progressive-delivery",
        "resilience",
        "security",
        "observability",
        "lean-flow",
        "learning",
    ]
    assert all(4 <= len(d["questions"]) <= 6 for d in exported["dimensions"])
    total = sum(len(d["questions"]) for d in exported["dimensions"])
    assert 30 <= total <= 48
    assert any(q["reverse"] for d in exported["dimensions"] for q in d["questions"])
    culture = exported["dimensions"][0]["questions"]
    assert {q["key"] for q in culture} == {
        "information-flows",
        "shared-responsibility",
        "bridging",
        "failure-inquiry",
        "new-ideas",
        "messengers",
    }


def test_import_creates_the_next_version_unpublished(exported, tmp_path):
    path = tmp_path / "model.json"
    exported["dimensions"][0]["questions"][0]["text"] = "Changed wording"
    path.write_text(json.dumps(exported), encoding="utf-8")
    out = StringIO()
    call_command("import_model", str(path), stdout=out)
    new = MaturityModel.objects.get(name=DEFAULT, version=2)
    assert not new.published
    assert new.dimensions.count() == 8
    assert Question.objects.filter(dimension__model=new).count() == 40
    assert Question.objects.get(dimension__model=new, key="information-flows").text == "Changed wording"
    assert "version 2" in out.getvalue()


def test_export_of_import_round_trips(exported, tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    call_command("import_model", str(path), stdout=StringIO())
    out = StringIO()
    call_command("export_model", "--model", DEFAULT, "--version", "2", stdout=out)
    again = json.loads(out.getvalue())
    assert {**again, "version": 1} == exported


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(scale={"points": 7, "labels": ["a"]}), "scale.labels"),
        (lambda d: d["dimensions"][1].update(key="culture"), "used twice"),
        (lambda d: d["dimensions"][0]["questions"][0].update(text="bad\x00text"), "NUL"),
        (lambda d: d["dimensions"][0].update(weight=-1), "weight"),
        (lambda d: d.update(levels=d["levels"][:3]), "five levels"),
        (lambda d: d["levels"][2].update(min_index=10), "rise"),
        (lambda d: d["dimensions"][0].update(questions=[]), "at least one question"),
        (lambda d: d["dimensions"][0]["questions"][0].update(reverse="yes"), "true or false"),
        (lambda d: d["dimensions"][0]["questions"][0].update(key="Bad Key!"), "a key is"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error_and_nothing_written(exported, tmp_path, mutate, message):
    mutate(exported)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    before = (MaturityModel.objects.count(), Dimension.objects.count(), Question.objects.count())
    with pytest.raises(CommandError, match=message):
        call_command("import_model", str(path), stdout=StringIO())
    assert (MaturityModel.objects.count(), Dimension.objects.count(), Question.objects.count()) == before


def test_not_json_and_missing_file(db, tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid UTF-8 JSON"):
        call_command("import_model", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_model", str(tmp_path / "missing.json"))


def test_parse_model_lists_every_problem():
    with pytest.raises(ModelFileError) as caught:
        parse_model({"name": "", "scale": None, "levels": [], "dimensions": []})
    assert len(caught.value.errors) >= 4
    with pytest.raises(ModelFileError):
        parse_model(["not", "an", "object"])


def test_export_unknown_model_names_the_ones_there(default_model):
    with pytest.raises(CommandError, match=DEFAULT):
        call_command("export_model", "--model", "Nope")


def test_default_model_is_recreated_published_when_deleted(default_model):
    from assessments.services import default_model_ensure

    default_model.delete()
    again = default_model_ensure()
    assert again.published and again.dimensions.count() == 8
    assert default_model_ensure() == again
