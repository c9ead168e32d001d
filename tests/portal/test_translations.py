"""Gemba in Spanish and Catalan: the catalogs are complete and current, no page of the
authorization matrix shows a string outside gettext (a pseudo-locale run), and none shows English
in es or ca; the maturity model's own words follow the language too.

The pseudo-locale ("en-xa") is built here from the catalog's msgids: every translation is its
English source between ⟦ and ⟧. Whatever text a page shows outside those brackets, and is not
data typed by people (names, titles), did not pass through gettext.
"""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import django
import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client, override_settings

from assessments.models import Dimension, MaturityModel, Question
from portal.middleware import LANGUAGE_KEY
from teams.preferences import time_zones
from tests.factories import MembershipFactory, UserFactory, answer_all, make_round
from tests.security.conftest import world  # noqa: F401 - the fixture, shared with the matrix
from tests.security.test_authorization_matrix import MATRIX, SCOPES, fill

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PSEUDO = "en-xa"
OPEN, CLOSE = "⟦", "⟧"
ON_CI = os.environ.get("CI", "").lower() == "true"


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}", text))


# --- The catalogs ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    po = catalog(language)
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} strings untranslated in {language}: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy strings in {language}: {fuzzy[:10]}"
    assert not po.obsolete_entries()


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    wrong = []
    for entry in catalog(language):
        if entry.msgid_plural:
            for form in entry.msgstr_plural.values():
                # A plural form may leave the count out ("one" instead of "1"), never add one.
                if not _placeholders(form) <= _placeholders(entry.msgid_plural) | _placeholders(entry.msgid):
                    wrong.append(entry.msgid)
        elif _placeholders(entry.msgstr) != _placeholders(entry.msgid):
            wrong.append(entry.msgid)
    assert not wrong, f"{language}: placeholders differ from the source: {wrong[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_the_catalog(language):
    """locale/*/django.mo is committed (running Gemba needs no gettext): it must say what the .po
    says. `make messages` compiles them."""
    po = catalog(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))

    def entries(pofile):
        return {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in pofile
            if e.msgid and (e.msgstr or any(e.msgstr_plural.values())) and "fuzzy" not in e.flags
        }

    assert entries(mo) == entries(po), "locale/*.mo is older than its .po: run `make messages`"


def test_the_catalogs_hold_every_string_of_the_code(tmp_path):
    """Every string the code and templates mark for translation is in the catalogs, and none that
    the code no longer has: makemessages runs in a scratch folder (the code linked in, the
    catalogs copied), and its catalogs are compared with the committed ones."""
    if not shutil.which("xgettext"):
        if ON_CI:
            pytest.fail("GNU gettext (xgettext) is needed on CI to check the catalogs")
        pytest.skip("GNU gettext (xgettext) is not installed")
    root = Path(settings.BASE_DIR)
    skipped = {".venv", ".git", "tests", "docs", "build", "staticfiles", "locale", ".cache"}
    for entry in root.iterdir():
        if entry.is_dir() and entry.name not in skipped and not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    scratch = tmp_path / "locale"
    for language in LANGUAGES:
        (scratch / language / "LC_MESSAGES").mkdir(parents=True)
        shutil.copy(LOCALE / language / "LC_MESSAGES" / "django.po", scratch / language / "LC_MESSAGES")
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        with override_settings(LOCALE_PATHS=[scratch]):
            call_command(
                "makemessages",
                locale=LANGUAGES,
                symlinks=True,
                ignore_patterns=["*/.venv/*", "*/node_modules/*"],
                no_obsolete=True,
                add_location="file",
                verbosity=0,
                stdout=StringIO(),
            )
    finally:
        os.chdir(here)
    for language in LANGUAGES:
        fresh = {
            (e.msgctxt, e.msgid) for e in polib.pofile(str(scratch / language / "LC_MESSAGES/django.po"))
        }
        committed = {(e.msgctxt, e.msgid) for e in catalog(language)}
        assert not fresh - committed, (
            f"new strings not in locale/{language}: {sorted(fresh - committed)[:10]}"
        )
        assert not committed - fresh, f"strings the code no longer has: {sorted(committed - fresh)[:10]}"


# --- Pages: the pseudo-locale and the real ones ----------------------------------------------


class PageText(HTMLParser):
    """What a person reads on a page: its text (without scripts and styles) and the attributes
    read aloud or shown (title, aria-label, placeholder, alt, a button's value)."""

    SPOKEN = {"title", "aria-label", "placeholder", "alt"}
    # Code samples (field names, commands, patterns) are the same in every language; what a
    # textarea holds was typed by people.
    UNSPOKEN = ("script", "style", "code", "pre", "kbd", "samp", "textarea")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.UNSPOKEN:
            self.skip += 1
        values = dict(attrs)
        for name, value in attrs:
            shown = name in self.SPOKEN or (
                name == "value" and tag == "input" and values.get("type") == "submit"
            )
            if value and shown and not self.skip:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.UNSPOKEN:
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = PageText()
    parser.feed(html)
    return " ".join(parser.parts)


def outside_brackets(text: str) -> str:
    """The text with every bracketed (translated) part taken out, innermost first; a chart
    shortens long labels with "…", which cuts their closing bracket off."""
    inner = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*(?:{CLOSE}|…)")
    while True:
        reduced = inner.sub(" ", text)
        if reduced == text:
            return text
        text = reduced


# Words a page may show in any language: names of products and methods, units, and what dates
# are written with (month names come from Django's own catalogs, which have no pseudo-locale).
ANY_LANGUAGE = {
    "Gemba", "DORA", "API", "CSV", "JSON", "GitHub", "GitLab", "PagerDuty", "Opsgenie", "Slack",
    "Microsoft", "Teams", "Jenkins", "Argo", "CD", "Westrum", "PDCA", "A3", "WIP", "UTC", "SSO",
    "OpenAPI", "Español", "Català", "English", "Pseudo", "rwg", "j", "k",
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    "January", "February", "March", "April", "June", "July", "August", "September", "October",
    "November", "December",
}  # fmt: skip
MODEL_CONTENT = (MaturityModel, Dimension, Question)


def typed_words() -> set[str]:
    """Every word people typed into the world (names, titles, notes), which no catalog holds; the
    maturity model's words are not among them: they must follow the language too."""
    words: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in {"teams", "assessments", "improvements", "delivery", "auth"}:
            continue
        if model in MODEL_CONTENT:
            continue
        fields = [
            f.name for f in model._meta.get_fields() if isinstance(f, models.CharField | models.TextField)
        ]
        for row in model.objects.values_list(*fields) if fields else []:
            for value in row:
                words.update(WORD.findall(str(value or "")))
    return words | {word for zone in time_zones() for word in re.split(r"[/_-]", zone)}


WORD = re.compile(r"[^\W\d_][\w'’]*")


def leaks(html: str, allowed: set[str]) -> list[str]:
    """Each word shown outside gettext, with the text around it, so it is found in the code."""
    left = re.sub(r"\s+", " ", re.sub(r"https?://\S+", " ", outside_brackets(page_text(html))))
    found = []
    for match in WORD.finditer(left):
        if match.group() not in allowed and len(match.group()) > 1:
            found.append(f"{match.group()!r} in “…{left[max(0, match.start() - 30) : match.end() + 30]}…”")
    return sorted(set(found))


def translate_model_content(model: MaturityModel, language: str, wrap) -> None:
    """Give the world's model a complete translation, as an organisation would."""
    model.translations = {
        language: {
            "name": wrap(model.name),
            "description": wrap(model.description),
            "scale_labels": [wrap(label) for label in model.scale_labels],
            "levels": [wrap(str(band["name"])) for band in model.levels],
        }
    }
    model.save(update_fields=["translations"])
    for dimension in model.dimensions.all():
        dimension.translations = {
            language: {f: wrap(getattr(dimension, f)) for f in ("name", "description", "prompt")}
        }
        dimension.save(update_fields=["translations"])
    for question in Question.objects.filter(dimension__model=model):
        question.translations = {
            language: {
                f: wrap(getattr(question, f)) for f in ("text", "help_text", "result_label", "scoring_note")
            }
        }
        question.save(update_fields=["translations"])


@pytest.fixture
def rich_world(world, default_model):  # noqa: F811 - the imported fixture
    """The matrix's world, and a closed round of checkout on the shipped model with enough
    answers for every detail (Westrum culture, distributions, comments, strengths)."""
    from assessments.services import round_close

    team = world.own.team
    people = [world.users["member"], world.users["lead"]] + [UserFactory() for _ in range(4)]
    for person in people[2:]:
        MembershipFactory(user=person, team=team)
    detailed = make_round(model=default_model, teams=[team], state="past", name="Detailed", k=3, k_detail=5)
    for n, person in enumerate(people):
        comments = {d.pk: f"Comment {n}" for d in default_model.dimensions.all()}
        answer_all(detailed, team, person, str(1 + n % 7), comments=comments)
    round_close(round=detailed)
    return world


def pages(world) -> list[tuple[str, str]]:  # noqa: F811
    """(persona, path) of every page of the matrix that a signed-in persona opens with a 200:
    each GET of the own team's (or the site's) objects, by the first persona allowed."""
    found = []
    for route, entry in MATRIX.items():
        if entry.json or route.endswith((".csv", ".json")) or "GET" not in entry.expect:
            continue
        table = entry.expect["GET"]
        persona = next((p for p in ("lead", "member", "manager", "staff") if table.get(p) == 200), None)
        if persona is None:
            continue
        target = next(t for t in SCOPES[entry.scope] if t.relation in ("own", "site"))
        found.append((persona, fill(route, target.kwargs(world))))
    return found


def render(world, persona: str, path: str, language: str) -> str | None:  # noqa: F811
    """The page in ``language`` as the persona sees it; None for a JSON answer."""
    client = Client()
    client.force_login(world.users[persona], backend="accounts.backends.PasswordBackend")
    session = client.session
    session[LANGUAGE_KEY] = language
    session.save()
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    if not response["Content-Type"].startswith("text/html"):
        return None
    assert response["Content-Language"] == language
    return response.content.decode()


@pytest.fixture
def pseudo_locale(tmp_path):
    """Catalogs of "en-xa": every msgid of the es catalogs (ours and Django's own, whose strings
    pages show too: form errors, password rules), translated as ⟦msgid⟧."""
    django_catalogs = Path(django.__file__).parent.glob("**/locale/es/LC_MESSAGES/django.po")
    source = [entry for path in django_catalogs for entry in polib.pofile(str(path))] + list(catalog("es"))
    pseudo = polib.POFile()
    pseudo.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    for entry in source:
        item = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgid_plural=entry.msgid_plural)
        if entry.msgid_plural:
            item.msgstr_plural = {0: OPEN + entry.msgid + CLOSE, 1: OPEN + entry.msgid_plural + CLOSE}
        else:
            item.msgstr = OPEN + entry.msgid + CLOSE
        pseudo.append(item)
    folder = tmp_path / "en_XA" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    pseudo.save_as_mofile(str(folder / "django.mo"))
    with override_settings(
        LANGUAGES=[*settings.LANGUAGES, (PSEUDO, "Pseudo")], LOCALE_PATHS=[*settings.LOCALE_PATHS, tmp_path]
    ):
        yield PSEUDO


def test_no_page_shows_a_string_outside_gettext(rich_world, pseudo_locale):
    for model in MaturityModel.objects.all():
        translate_model_content(model, pseudo_locale, lambda text: f"{OPEN}{text}{CLOSE}" if text else "")
    allowed = typed_words() | ANY_LANGUAGE
    found = {}
    for persona, path in pages(rich_world):
        html = render(rich_world, persona, path, pseudo_locale)
        words = leaks(html, allowed) if html is not None else []
        if words:
            found[path] = words
    assert not found, f"text outside gettext (or the model's translations): {found}"


# English that must not be left on any page in Spanish or Catalan: navigation, buttons, headings,
# the survey's scale, charts' words, and the maturity model's own texts.
ENGLISH = [
    "Sign out", "Home", "Surveys", "Organisation", "Rounds", "Results", "Improvement actions",
    "Delivery", "Save draft", "Submit", "Don't know", "Strongly agree", "Strongly disagree",
    "Overall", "Index", "Round", "Dimension", "Teams per level", "This round", "Previous round",
    "responses", "participation", "anonymous", "Deployment frequency", "Change lead time",
    "Change fail rate", "Plan", "Check", "Done", "Dropped", "hidden", "Level", "Initial", "Managed",
    "Defined", "Measured", "Optimising", "no change", "Question", "Dimension 1", "Question 1.1",
]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_is_left_in_english(rich_world, language):
    spanish_or_catalan = {"es": "Dimensión %s", "ca": "Dimensió %s"}[language]
    # The whole model, as an organisation would translate it (its level names are the defaults,
    # which the catalogs know).
    rich_world.model.translations = {
        language: {"name": "Seguridad", "scale_labels": ["1", "2", "3", "4", "5"]}
    }
    rich_world.model.save(update_fields=["translations"])
    for dimension in rich_world.model.dimensions.all():
        dimension.translations = {language: {"name": spanish_or_catalan % dimension.order}}
        dimension.save(update_fields=["translations"])
    for question in Question.objects.filter(dimension__model=rich_world.model):
        question.translations = {language: {"text": f"Pregunta {question.dimension.order}.{question.order}"}}
        question.save(update_fields=["translations"])
    found = {}
    for persona, path in pages(rich_world):
        html = render(rich_world, persona, path, language)
        if html is None:
            continue
        text = page_text(html)
        english = [
            phrase for phrase in ENGLISH if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text)
        ]
        if english:
            found[path] = english
    assert not found, f"English left in {language}: {found}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_pages_and_the_admins_labels_speak_the_language(client_for, member, staff, language):
    from django.utils import translation

    client = client_for(member)
    session = client.session
    session[LANGUAGE_KEY] = language
    session.save()
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and missing["Content-Language"] == language
    with translation.override(language):
        assert translation.gettext("Nothing here") in missing.content.decode()
    client.logout()
    admin = client_for(staff)
    session = admin.session
    session[LANGUAGE_KEY] = language
    session.save()
    index = page_text(admin.get("/admin/").content.decode())
    for model in apps.get_models():
        if model._meta.app_label not in {"teams", "assessments", "improvements", "delivery", "accounts"}:
            continue
        with translation.override("en"):
            english = str(model._meta.verbose_name_plural).capitalize()
        with translation.override(language):
            translated = str(model._meta.verbose_name_plural).capitalize()
        assert english == translated or english not in index, f"{model.__name__}: {english!r} in {language}"
