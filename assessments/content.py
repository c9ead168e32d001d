"""Which language a maturity model's own words (dimensions, questions, scale, levels) are shown in.

A model is written in one language (its ``language``, English for the shipped ones) and carries
translations of its texts per language code in ``translations`` JSON fields. Anywhere a model's
words are shown, ``localised`` picks the text in the content language: the page's language, or
what ``content_in`` set (the survey page shows a round's questions in the model's own language
when it is not complete in the person's). A text with no translation falls back to the source:
results always pool by question key, whatever language people answered in.

No ORM here; the models call it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.utils.translation import get_language

_content_language: ContextVar[str | None] = ContextVar("content_language", default=None)

# What each kind of object translates; a text that is empty in the source needs no translation.
MODEL_FIELDS = ("name", "description")
DIMENSION_FIELDS = ("name", "description", "prompt")
QUESTION_FIELDS = ("text", "help_text", "result_label", "scoring_note")


def content_language() -> str:
    """The language a model's words are shown in now."""
    return _content_language.get() or get_language() or settings.LANGUAGE_CODE


@contextmanager
def content_in(language: str) -> Iterator[None]:
    """Show models' words in ``language`` (the interface keeps its own)."""
    token = _content_language.set(language)
    try:
        yield
    finally:
        _content_language.reset(token)


def localised(source, translations: Mapping | None, key: str, language: str | None = None):
    """``translations[language][key]`` when given and not empty, else the source text."""
    entry = (translations or {}).get(language or content_language())
    value = entry.get(key) if isinstance(entry, Mapping) else None
    return value if value else source


def missing(source: Mapping[str, object], translations: Mapping | None, language: str) -> list[str]:
    """The fields of one object that have a source text but no translation into ``language``."""
    entry = (translations or {}).get(language) or {}
    return [key for key, text in source.items() if text and not entry.get(key)]
