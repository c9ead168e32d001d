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
    assert exported["name"] == DEFAULT and exported["version"] == 2
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
    new = MaturityModel.objects.get(name=DEFAULT, version=3)
    assert not new.published
    assert new.dimensions.count() == 8
    assert Question.objects.filter(dimension__model=new).count() == 40
    assert Question.objects.get(dimension__model=new, key="information-flows").text == "Changed wording"
    assert "version 3" in out.getvalue()


def test_export_of_import_round_trips(exported, tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    call_command("import_model", str(path), stdout=StringIO())
    out = StringIO()
    call_command("export_model", "--model", DEFAULT, "--version", "3", stdout=out)
    again = json.loads(out.getvalue())
    assert {**again, "version": 2} == exported


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


def test_the_shipped_model_keeps_scoring_out_of_what_respondents_read(exported):
    """Version 2: help and prompts are neutral; what is measured and how it is scored is in the note."""
    questions = [q for d in exported["dimensions"] for q in d["questions"]]
    respondent_text = " ".join([q["help"] for q in questions] + [d["prompt"] for d in exported["dimensions"]])
    for hint in ("Westrum", "everse", "scored", "generative", "psychological safety"):
        assert hint not in respondent_text
    assert all(q["result_label"] for q in questions)
    assert all("Reverse-scored" in q["note"] for q in questions if q["reverse"])
    assert exported["dimensions"][0]["questions"][3]["result_label"] == "Failure leads to inquiry, not blame"


def test_version_2_keeps_every_key_of_version_1(exported):
    first = MaturityModel.objects.get(name=DEFAULT, version=1)
    assert not first.published  # no longer offered for new rounds; its rounds keep it
    keys = set(Question.objects.filter(dimension__model=first).values_list("dimension__key", "key"))
    assert {(d["key"], q["key"]) for d in exported["dimensions"] for q in d["questions"]} == keys


def test_the_pulse_ships_with_ten_questions_of_the_full_models_keys(default_model):
    pulse = MaturityModel.objects.get(name="Gemba DevOps pulse", version=1)
    assert pulse.published
    pulse_keys = set(Question.objects.filter(dimension__model=pulse).values_list("dimension__key", "key"))
    full_keys = set(
        Question.objects.filter(dimension__model=default_model).values_list("dimension__key", "key")
    )
    assert 8 <= len(pulse_keys) <= 12 and pulse_keys <= full_keys
    per_dimension = Question.objects.filter(dimension__model=pulse).values_list("dimension__key", flat=True)
    assert {per_dimension.filter(dimension__key=key).count() for key in set(per_dimension)} <= {1, 2}
    assert set(per_dimension) == set(default_model.dimensions.values_list("key", flat=True))


def test_result_labels_notes_and_prompts_travel_through_export_and_import(exported, tmp_path):
    exported["dimensions"][1]["prompt"] = "About shipping."
    exported["dimensions"][1]["questions"][4]["result_label"] = "Releases need no board"
    exported["dimensions"][1]["questions"][4]["note"] = "Change approval. Reverse-scored."
    path = tmp_path / "model.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    call_command("import_model", str(path), stdout=StringIO())
    question = Question.objects.get(dimension__model__version=3, key="change-approval")
    assert (question.result_label, question.scoring_note, question.dimension.prompt) == (
        "Releases need no board",
        "Change approval. Reverse-scored.",
        "About shipping.",
    )
    out = StringIO()
    call_command("export_model", "--model", DEFAULT, "--version", "3", stdout=out)
    again = json.loads(out.getvalue())["dimensions"][1]
    assert (
        again["prompt"] == "About shipping."
        and again["questions"][4]["result_label"] == "Releases need no board"
    )


def test_a_file_without_the_new_fields_still_imports(exported):
    for dimension in exported["dimensions"]:
        dimension.pop("prompt")
        for question in dimension["questions"]:
            question.pop("result_label")
            question.pop("note")
    spec = parse_model(exported)
    assert spec.dimensions[0].prompt == "" and spec.dimensions[0].questions[0].result_label == ""


def test_a_result_label_longer_than_its_limit_is_refused(exported):
    exported["dimensions"][0]["questions"][0]["result_label"] = "x" * 121
    with pytest.raises(ModelFileError, match=r"questions\[0\]\.result_label: longer than 120"):
        parse_model(exported)
