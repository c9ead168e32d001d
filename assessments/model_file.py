"""The JSON file format of a maturity model: parse and validate (pure, no ORM).

{"name", "version", "description", "scale": {"points", "labels"},
 "levels": [{"level", "name", "min_index"}],
 "dimensions": [{"key", "name", "description", "prompt", "weight",
                 "questions": [{"key", "text", "help", "result_label", "note", "reverse"}]}]}

"help" and a dimension's "prompt" are shown to respondents and must not say how answers are
scored; "result_label" names the question in results (worded so that higher is better) and
"note" says what it measures and how it is scored, for results and admins. The last three are
optional, so files of earlier versions still import.

Translations: "language" names the language the texts are written in ("en" when absent), and
the model, each dimension and each question may carry "translations": {"es": {…}, "ca": {…}}
with the same field names (the model's: "name", "description", "scale_labels" and "levels", a
list of the five level names; a dimension's: "name", "description", "prompt"; a question's:
"text", "help", "result_label", "note"). ``missing`` says what a language still lacks.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
LIMITS = {
    "name": 120,
    "dimension_name": 120,
    "question_text": 400,
    "label": 60,
    "description": 4000,
    "prompt": 300,
    "result_label": 120,
}


class ModelFileError(ValueError):
    """A model file that cannot be imported; ``errors`` lists every problem with where it is."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class QuestionSpec:
    key: str
    text: str
    help: str = ""
    result_label: str = ""
    note: str = ""
    reverse: bool = False
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class DimensionSpec:
    key: str
    name: str
    description: str = ""
    prompt: str = ""
    weight: float = 1.0
    questions: list[QuestionSpec] = field(default_factory=list)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class ModelSpec:
    name: str
    version: int
    description: str
    points: int
    labels: list[str]
    levels: list[dict[str, Any]]
    dimensions: list[DimensionSpec]
    language: str = "en"
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The file format, ready for json.dumps."""
        return {
            "name": self.name,
            "version": self.version,
            "language": self.language,
            "description": self.description,
            "scale": {"points": self.points, "labels": list(self.labels)},
            "levels": [dict(level) for level in self.levels],
            "translations": self.translations,
            "dimensions": [asdict(dimension) for dimension in self.dimensions],
        }

    def languages(self) -> list[str]:
        """Every language any text of the model is translated into, sorted."""
        found = set(self.translations)
        for dimension in self.dimensions:
            found |= set(dimension.translations)
            for question in dimension.questions:
                found |= set(question.translations)
        return sorted(found - {self.language})


# What each object translates, by its field names in the file, and the longest text of each.
MODEL_TEXTS = {"name": LIMITS["name"], "description": LIMITS["description"]}
DIMENSION_TEXTS = {"name": LIMITS["dimension_name"], "description": 4000, "prompt": LIMITS["prompt"]}
QUESTION_TEXTS = {
    "text": LIMITS["question_text"],
    "help": 4000,
    "result_label": LIMITS["result_label"],
    "note": 4000,
}


def missing(spec: ModelSpec, language: str) -> list[str]:
    """What the model lacks in ``language``: every text with a source but no translation, by
    place ("name", "scale_labels", "dimensions[culture].prompt", "questions[culture/bridging].help").
    Nothing for the model's own language."""
    if language == spec.language:
        return []
    out = []
    own = spec.translations.get(language, {})
    out += [k for k in MODEL_TEXTS if getattr(spec, k) and not own.get(k)]
    if not own.get("scale_labels"):
        out.append("scale_labels")
    if not own.get("levels"):
        out.append("levels")
    for dimension in spec.dimensions:
        given = dimension.translations.get(language, {})
        out += [
            f"dimensions[{dimension.key}].{k}"
            for k in DIMENSION_TEXTS
            if getattr(dimension, k) and not given.get(k)
        ]
        for question in dimension.questions:
            given = question.translations.get(language, {})
            out += [
                f"questions[{dimension.key}/{question.key}].{k}"
                for k in QUESTION_TEXTS
                if getattr(question, k) and not given.get(k)
            ]
    return out


def _translations(errors: list[str], where: str, raw: Any, texts: dict[str, int], extra=None) -> dict:
    """``{"es": {field: text}}`` checked: known language codes and fields, texts within limits."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(f"{where}.translations: must be an object of languages")
        return {}
    out: dict[str, dict[str, Any]] = {}
    for language, entry in raw.items():
        lwhere = f"{where}.translations.{language}"
        if not isinstance(language, str) or not LANGUAGE.match(language):
            errors.append(f"{lwhere}: a language code such as es, ca or pt-br")
            continue
        if not isinstance(entry, dict):
            errors.append(f"{lwhere}: must be an object of texts")
            continue
        unknown = set(entry) - set(texts) - set(extra or {})
        if unknown:
            errors.append(f"{lwhere}: unknown fields {sorted(unknown)}")
        clean: dict[str, Any] = {}
        for key, limit in texts.items():
            if key in entry:
                text = _text(errors, f"{lwhere}.{key}", entry[key], limit, required=False)
                if text:
                    clean[key] = text
        for key, check in (extra or {}).items():
            if key in entry:
                value = check(errors, f"{lwhere}.{key}", entry[key])
                if value:
                    clean[key] = value
        out[language] = clean
    return out


def _label_list(length: int, limit: int):
    def check(errors: list[str], where: str, value: Any) -> list[str]:
        if not isinstance(value, list) or len(value) != length:
            errors.append(f"{where}: give {length} texts, one per point or level")
            return []
        return [_text(errors, f"{where}[{i}]", text, limit) for i, text in enumerate(value)]

    return check


def _text(errors: list[str], where: str, value: Any, limit: int, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        errors.append(f"{where}: must be text")
        return ""
    if "\x00" in value:
        errors.append(f"{where}: contains a NUL character")
        return ""
    if required and not value.strip():
        errors.append(f"{where}: must not be empty")
    if len(value) > limit:
        errors.append(f"{where}: longer than {limit} characters")
    return value.strip()


def _key(errors: list[str], where: str, value: Any, seen: set[str]) -> str:
    if not isinstance(value, str) or not KEY.match(value):
        errors.append(f"{where}: a key is 1–60 lowercase letters, digits, '-' or '_'")
        return ""
    if value in seen:
        errors.append(f"{where}: key {value!r} is used twice")
    seen.add(value)
    return value


def parse_model(data: Any) -> ModelSpec:
    """Validate a decoded JSON document; raise ModelFileError listing every problem found."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise ModelFileError(["the file must hold a JSON object"])

    name = _text(errors, "name", data.get("name"), LIMITS["name"])
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        errors.append("version: must be a whole number from 1")
        version = 1
    description = _text(errors, "description", data.get("description"), LIMITS["description"], required=False)
    language = data.get("language", "en")
    if not isinstance(language, str) or not LANGUAGE.match(language):
        errors.append("language: a language code such as en, es or ca")
        language = "en"

    scale = data.get("scale")
    points, labels = 0, []
    if not isinstance(scale, dict):
        errors.append("scale: must be an object with points and labels")
    else:
        points = scale.get("points")
        if not isinstance(points, int) or isinstance(points, bool) or not 3 <= points <= 11:
            errors.append("scale.points: must be a whole number from 3 to 11")
            points = 0
        raw_labels = scale.get("labels")
        if not isinstance(raw_labels, list) or (points and len(raw_labels) != points):
            errors.append("scale.labels: give one label for each point of the scale")
        else:
            labels = [
                _text(errors, f"scale.labels[{i}]", label, LIMITS["label"])
                for i, label in enumerate(raw_labels)
            ]

    levels = _levels(errors, data.get("levels"))

    raw_dimensions = data.get("dimensions")
    dimensions: list[DimensionSpec] = []
    if not isinstance(raw_dimensions, list) or not raw_dimensions:
        errors.append("dimensions: give at least one dimension")
        raw_dimensions = []
    dimension_keys: set[str] = set()
    question_keys: set[str] = set()
    for d, raw in enumerate(raw_dimensions):
        where = f"dimensions[{d}]"
        if not isinstance(raw, dict):
            errors.append(f"{where}: must be an object")
            continue
        weight = raw.get("weight", 1)
        if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 < weight <= 99:
            errors.append(f"{where}.weight: must be a number above 0 and at most 99")
            weight = 1
        dimension = DimensionSpec(
            key=_key(errors, f"{where}.key", raw.get("key"), dimension_keys),
            name=_text(errors, f"{where}.name", raw.get("name"), LIMITS["dimension_name"]),
            description=_text(errors, f"{where}.description", raw.get("description"), 4000, required=False),
            prompt=_text(errors, f"{where}.prompt", raw.get("prompt"), LIMITS["prompt"], required=False),
            weight=float(weight),
            translations=_translations(errors, where, raw.get("translations"), DIMENSION_TEXTS),
        )
        raw_questions = raw.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            errors.append(f"{where}.questions: give at least one question")
            raw_questions = []
        for q, raw_question in enumerate(raw_questions):
            qwhere = f"{where}.questions[{q}]"
            if not isinstance(raw_question, dict):
                errors.append(f"{qwhere}: must be an object")
                continue
            reverse = raw_question.get("reverse", False)
            if not isinstance(reverse, bool):
                errors.append(f"{qwhere}.reverse: must be true or false")
                reverse = False
            dimension.questions.append(
                QuestionSpec(
                    key=_key(errors, f"{qwhere}.key", raw_question.get("key"), question_keys),
                    text=_text(errors, f"{qwhere}.text", raw_question.get("text"), LIMITS["question_text"]),
                    help=_text(errors, f"{qwhere}.help", raw_question.get("help"), 4000, required=False),
                    result_label=_text(
                        errors,
                        f"{qwhere}.result_label",
                        raw_question.get("result_label"),
                        LIMITS["result_label"],
                        required=False,
                    ),
                    note=_text(errors, f"{qwhere}.note", raw_question.get("note"), 4000, required=False),
                    reverse=reverse,
                    translations=_translations(
                        errors, qwhere, raw_question.get("translations"), QUESTION_TEXTS
                    ),
                )
            )
        dimensions.append(dimension)

    translations = _translations(
        errors,
        "model",
        data.get("translations"),
        MODEL_TEXTS,
        extra={
            "scale_labels": _label_list(points or len(labels), LIMITS["label"]),
            "levels": _label_list(5, 60),
        },
    )
    if errors:
        raise ModelFileError(errors)
    return ModelSpec(
        name=name,
        version=version,
        description=description,
        points=points,
        labels=labels,
        levels=levels,
        dimensions=dimensions,
        language=language,
        translations=translations,
    )


def _levels(errors: list[str], raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) != 5:
        errors.append("levels: give exactly five levels")
        return []
    levels = []
    previous = -1.0
    for i, band in enumerate(raw):
        where = f"levels[{i}]"
        if not isinstance(band, dict):
            errors.append(f"{where}: must be an object")
            continue
        bound = band.get("min_index")
        if not isinstance(bound, int | float) or isinstance(bound, bool) or not 0 <= bound <= 100:
            errors.append(f"{where}.min_index: must be a number from 0 to 100")
            continue
        if i == 0 and bound != 0:
            errors.append(f"{where}.min_index: the first level starts at 0")
        if bound <= previous:
            errors.append(f"{where}.min_index: bounds must rise from level to level")
        previous = float(bound)
        levels.append(
            {"level": i + 1, "name": _text(errors, f"{where}.name", band.get("name"), 60), "min_index": bound}
        )
    return levels


def translations_report(spec: ModelSpec, languages: list[str]) -> list[str]:
    """One line per language (those given and those the file carries): complete, or what is
    missing, the first few named."""
    lines = []
    for language in sorted((set(languages) | set(spec.languages())) - {spec.language}):
        gaps = missing(spec, language)
        if not gaps:
            lines.append(f"{language}: complete")
            continue
        shown = ", ".join(gaps[:8]) + (f" and {len(gaps) - 8} more" if len(gaps) > 8 else "")
        lines.append(f"{language}: {len(gaps)} texts missing ({shown})")
    return lines
