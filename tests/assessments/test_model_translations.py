"""A maturity model in several languages: its words follow the reader's language, a round offers
the languages it is complete in, people answer in theirs and the results pool by question key;
translations travel in the model file and are edited in the admin, frozen models too."""

import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation

from assessments.content import content_in
from assessments.model_file import missing, parse_model
from assessments.models import Dimension, MaturityModel, Question, QuestionDistribution
from assessments.services import model_export, model_import, round_close
from audit.models import AuditEvent
from portal.middleware import LANGUAGE_KEY
from tests.factories import answer_all, make_round


def translate(model, language: str, texts: dict) -> None:
    """``texts``: {"model": {...}, "dim-1": {...}, "dim-1-q1": {...}}."""
    model.translations = {language: texts.get("model", {})}
    model.save()
    for dimension in model.dimensions.all():
        dimension.translations = {language: texts.get(dimension.key, {})}
        dimension.save()
    for question in Question.objects.filter(dimension__model=model):
        question.translations = {language: texts.get(question.key, {})}
        question.save()


def catalan(model) -> dict:
    texts = {"model": {"name": "Seguretat", "scale_labels": [f"punt {p}" for p in range(1, 6)]}}
    for dimension in model.dimensions.all():
        texts[dimension.key] = {"name": f"Dimensió {dimension.order}"}
        for question in dimension.questions.all():
            texts[question.key] = {"text": f"Pregunta {dimension.order}.{question.order}"}
    return texts


def in_catalan(client):
    session = client.session
    session[LANGUAGE_KEY] = "ca"
    session.save()
    return client


def test_a_text_follows_the_language_and_falls_back_to_the_source(small_model):
    dimension = small_model.dimensions.get(key="dim-1")
    dimension.translations = {"ca": {"name": "Dimensió u"}}
    with translation.override("ca"):
        assert dimension.local_name == "Dimensió u"
        assert dimension.local_description == dimension.description  # not translated: the source
    with translation.override("es"):
        assert dimension.local_name == "Dimension 1"
    with translation.override("es"), content_in("ca"):
        assert dimension.local_name == "Dimensió u"


def test_the_default_scale_and_level_names_come_from_the_catalogs(small_model):
    small_model.scale_labels = [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ]
    with translation.override("es"):
        assert small_model.labels[0] == "Totalmente en desacuerdo"
        assert small_model.level_names[5] == "En optimización"
    with translation.override("ca"):
        assert small_model.labels[-1] == "Totalment d'acord"


def test_a_model_is_offered_in_the_languages_it_is_complete_in(small_model):
    assert small_model.complete_languages() == ["en"]
    assert "dimension dim-1: name" in small_model.missing_translations("ca")
    translate(small_model, "ca", catalan(small_model))
    assert small_model.missing_translations("ca") == []
    assert small_model.complete_languages() == ["en", "ca"]
    assert small_model.language_names() == "English, Català"


def test_the_shipped_models_are_complete_in_spanish_and_catalan(default_model):
    for model in MaturityModel.objects.filter(name__startswith="Gemba"):
        assert model.complete_languages() == ["en", "es", "ca"], (model, model.missing_translations("ca")[:5])
    with translation.override("ca"):
        culture = default_model.dimensions.get(key="culture")
        assert culture.local_name != culture.name and culture.local_prompt


def test_a_survey_in_catalan_and_one_in_english_land_in_the_same_distribution(
    small_model, team, member, lead, colleagues, client_for, client
):
    translate(small_model, "ca", catalan(small_model))
    round_ = make_round(model=small_model, teams=[team], state="open", k=3, k_detail=5)
    question = Question.objects.get(dimension__model=small_model, key="dim-1-q1")

    catalan_page = in_catalan(client_for(member)).get(f"/surveys/{round_.pk}/checkout/")
    html = catalan_page.content.decode()
    assert catalan_page["Content-Language"] == "ca" and 'lang="ca"' in html
    assert "Pregunta 1.1" in html and "Question 1.1" not in html and "punt 1" in html
    answers = {f"q{q.pk}": "4" for q in Question.objects.filter(dimension__model=small_model)}
    assert client.post(catalan_page.request["PATH_INFO"], {**answers, "action": "submit"}).status_code == 302

    client.logout()
    english_page = client_for(lead).get(f"/surveys/{round_.pk}/checkout/")
    assert "Question 1.1" in english_page.content.decode()
    assert client.post(english_page.request["PATH_INFO"], {**answers, "action": "submit"}).status_code == 302
    for colleague in colleagues[:3]:
        answer_all(round_, team, colleague, "4")

    round_close(round=round_)
    distribution = QuestionDistribution.objects.get(round=round_, team=team, question=question)
    assert distribution.counts[3] == 5  # both languages' "4" in one bar
    with translation.override("ca"):
        assert distribution.question.label == "Pregunta 1.1"


def test_a_language_the_model_lacks_is_answered_in_the_models_own(small_model, team, member, client_for):
    small_model.dimensions.filter(key="dim-1").update(translations={"ca": {"name": "Dimensió 1"}})
    round_ = make_round(model=small_model, teams=[team], state="open")
    html = in_catalan(client_for(member)).get(f"/surveys/{round_.pk}/checkout/").content.decode()
    assert "Question 1.1" in html and "Dimension 1" in html and "Dimensió 1" not in html
    assert 'lang="en"' in html and "English" in html  # the note says which language it shows


def test_translations_travel_in_the_model_file_and_missing_ones_are_named(small_model):
    translate(small_model, "ca", catalan(small_model))
    spec = model_export(model=small_model)
    data = json.loads(json.dumps(spec.as_dict()))
    assert data["dimensions"][0]["questions"][0]["translations"]["ca"] == {"text": "Pregunta 1.1"}
    again = parse_model(data)
    assert missing(again, "ca") == ["levels"]  # the levels' names were not translated
    assert missing(again, "es")[:2] == ["name", "scale_labels"]
    copy = model_import(spec=again)
    assert Question.objects.get(dimension__model=copy, key="dim-1-q1").translations == {
        "ca": {"text": "Pregunta 1.1"}
    }


def test_import_and_export_say_which_translations_are_missing(small_model, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_model", "--model", small_model.name, stdout=out, stderr=err)
    assert "ca: " in err.getvalue() and "texts missing" in err.getvalue()
    path = tmp_path / "model.json"
    path.write_text(out.getvalue())
    imported = io.StringIO()
    call_command("import_model", str(path), stdout=imported)
    assert "Written in en." in imported.getvalue() and "es: " in imported.getvalue()


@pytest.mark.parametrize(
    ("translations", "error"),
    [
        ({"Català": {"name": "x"}}, "a language code"),
        ({"ca": {"nom": "x"}}, "unknown fields"),
        ({"ca": {"scale_labels": ["a", "b"]}}, "give 5 texts"),
        ({"ca": "Seguretat"}, "must be an object of texts"),
    ],
)
def test_a_model_file_with_broken_translations_is_refused(small_model, translations, error):
    data = model_export(model=small_model).as_dict()
    data["translations"] = translations
    with pytest.raises(Exception, match=error):
        parse_model(data)


def test_the_admin_translates_a_frozen_model_and_the_change_is_audited(small_model, team, staff, client_for):
    make_round(model=small_model, teams=[team], state="open")  # frozen now
    client = client_for(staff)
    change = client.get(f"/admin/assessments/maturitymodel/{small_model.pk}/change/").content.decode()
    assert (
        "texts missing" in change
        and f"/admin/assessments/maturitymodel/{small_model.pk}/translations/ca/" in change
    )
    url = f"/admin/assessments/maturitymodel/{small_model.pk}/translations/ca/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: "" for name in form.fields}
    dimension = Dimension.objects.get(model=small_model, key="dim-1")
    data[f"dimension-{dimension.pk}-name"] = "Dimensió 1"
    data["model-name"] = "Seguretat"
    assert client.post(url, data).status_code == 302
    dimension.refresh_from_db()
    small_model.refresh_from_db()
    assert dimension.translations == {"ca": {"name": "Dimensió 1"}}
    assert small_model.translations == {"ca": {"name": "Seguretat"}}
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MODEL_CHANGED, details__translated="ca"
    ).exists()
    # Nobody else: the page is for who may change models, and the source language has none.
    assert (
        client.get(f"/admin/assessments/maturitymodel/{small_model.pk}/translations/en/").status_code == 404
    )
    assert (
        client.get(f"/admin/assessments/maturitymodel/{small_model.pk}/translations/xx/").status_code == 404
    )


def test_only_who_may_change_models_translates_them(small_model, member, client_for):
    member.is_staff = True
    member.save()
    response = client_for(member).get(f"/admin/assessments/maturitymodel/{small_model.pk}/translations/ca/")
    assert response.status_code in (403, 404)
