"""Maturity models as files and versions: import, export, copy as a new version, and the models
that ship with Gemba (assessments/shipped/) with their translations."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from assessments.model_file import DimensionSpec, ModelSpec, QuestionSpec, parse_model
from assessments.models import Dimension, MaturityModel, Question
from audit.models import AuditEvent
from audit.trail import record


@transaction.atomic
def model_import(*, spec: ModelSpec, by=None) -> MaturityModel:
    """Create a maturity model from a parsed file, as the next version of its name."""
    model = _model_create(spec)
    record(AuditEvent.Action.MODEL_IMPORTED, model, by=by, version=model.version)
    return model


# A question's texts are named differently in the file and in the database.
QUESTION_FILE_TO_FIELD = {
    "text": "text",
    "help": "help_text",
    "result_label": "result_label",
    "note": "scoring_note",
}

QUESTION_FIELD_TO_FILE = {field: key for key, field in QUESTION_FILE_TO_FIELD.items()}


def _renamed(translations: dict, names: dict[str, str]) -> dict:
    return {
        language: {names.get(key, key): text for key, text in entry.items()}
        for language, entry in translations.items()
    }


def _model_create(spec: ModelSpec) -> MaturityModel:
    latest = (
        MaturityModel.objects.filter(name=spec.name).order_by("-version").values_list("version", flat=True)
    )
    version = (latest.first() + 1) if latest.exists() else spec.version
    model = MaturityModel.objects.create(
        name=spec.name,
        version=version,
        description=spec.description,
        published=False,
        scale_points=spec.points,
        scale_labels=list(spec.labels),
        levels=[dict(level) for level in spec.levels],
        language=spec.language,
        translations=spec.translations,
    )
    for order, dimension_spec in enumerate(spec.dimensions, start=1):
        dimension = Dimension.objects.create(
            model=model,
            key=dimension_spec.key,
            name=dimension_spec.name,
            description=dimension_spec.description,
            prompt=dimension_spec.prompt,
            order=order,
            weight=round(dimension_spec.weight, 2),
            translations=dimension_spec.translations,
        )
        Question.objects.bulk_create(
            Question(
                dimension=dimension,
                key=question.key,
                text=question.text,
                help_text=question.help,
                result_label=question.result_label,
                scoring_note=question.note,
                order=position,
                reverse=question.reverse,
                translations=_renamed(question.translations, QUESTION_FILE_TO_FIELD),
            )
            for position, question in enumerate(dimension_spec.questions, start=1)
        )
    return model


SHIPPED_MODELS = Path(__file__).resolve().parent.parent / "shipped"
# The full survey for quarterly rounds, and the short pulse for the months between (same keys).
DEFAULT_MODEL_FILE = SHIPPED_MODELS / "devops-maturity-v2.json"
PULSE_MODEL_FILE = SHIPPED_MODELS / "devops-pulse-v1.json"


@transaction.atomic
def shipped_model_ensure(path: Path = DEFAULT_MODEL_FILE) -> MaturityModel:
    """A model shipped with Gemba (data migrations create them), re-created and published from its
    file in assessments/shipped/ if it was deleted."""
    spec = parse_model(json.loads(path.read_text(encoding="utf-8")))
    model = MaturityModel.objects.filter(name=spec.name, version=spec.version).first()
    if model is None:
        model = _model_create(spec)
        MaturityModel.objects.filter(pk=model.pk).update(published=True)
        model.published = True
    return model


def _filled(stored: dict, shipped: dict) -> dict:
    """``stored`` with every text it lacks taken from ``shipped``: an admin's own wording stays."""
    merged = {language: dict(entry) for language, entry in (stored or {}).items()}
    for language, entry in shipped.items():
        target = merged.setdefault(language, {})
        for key, text in entry.items():
            target.setdefault(key, text)
    return merged


@transaction.atomic
def shipped_translations_sync() -> int:
    """Give the shipped models in this database the translations of their files (run after each
    migrate): texts missing here are added, none is changed. How many objects changed."""
    changed = 0
    for path in sorted(SHIPPED_MODELS.glob("*.json")):
        spec = parse_model(json.loads(path.read_text(encoding="utf-8")))
        model = MaturityModel.objects.filter(name=spec.name, version=spec.version).first()
        if model is None:
            continue
        updates: list = []
        merged = _filled(model.translations, spec.translations)
        if merged != model.translations:
            model.translations = merged
            updates.append(model)
        dimensions = {d.key: d for d in model.dimensions.prefetch_related("questions")}
        for dimension_spec in spec.dimensions:
            dimension = dimensions.get(dimension_spec.key)
            if dimension is None:
                continue
            merged = _filled(dimension.translations, dimension_spec.translations)
            if merged != dimension.translations:
                dimension.translations = merged
                updates.append(dimension)
            questions = {q.key: q for q in dimension.questions.all()}
            for question_spec in dimension_spec.questions:
                question = questions.get(question_spec.key)
                if question is None:
                    continue
                shipped = _renamed(question_spec.translations, QUESTION_FILE_TO_FIELD)
                merged = _filled(question.translations, shipped)
                if merged != question.translations:
                    question.translations = merged
                    updates.append(question)
        for kind in (MaturityModel, Dimension, Question):
            kind.objects.bulk_update([o for o in updates if isinstance(o, kind)], ["translations"])
        changed += len(updates)
    return changed


def default_model_ensure() -> MaturityModel:
    """The shipped default model: the full survey."""
    return shipped_model_ensure(DEFAULT_MODEL_FILE)


def pulse_model_ensure() -> MaturityModel:
    """The shipped pulse: ten of the full model's questions, for monthly rounds."""
    return shipped_model_ensure(PULSE_MODEL_FILE)


def model_export(*, model: MaturityModel) -> ModelSpec:
    """A model as its file format."""
    dimensions = model.dimensions.prefetch_related("questions").order_by("order", "key")
    return ModelSpec(
        name=model.name,
        version=model.version,
        description=model.description,
        points=model.scale_points,
        labels=list(model.scale_labels),
        levels=[dict(level) for level in model.levels],
        language=model.language,
        translations=model.translations,
        dimensions=[
            DimensionSpec(
                key=dimension.key,
                name=dimension.name,
                description=dimension.description,
                prompt=dimension.prompt,
                weight=float(dimension.weight),
                translations=dimension.translations,
                questions=[
                    QuestionSpec(
                        key=q.key,
                        text=q.text,
                        help=q.help_text,
                        result_label=q.result_label,
                        note=q.scoring_note,
                        reverse=q.reverse,
                        translations=_renamed(q.translations, QUESTION_FIELD_TO_FILE),
                    )
                    for q in dimension.questions.all()
                ],
            )
            for dimension in dimensions
        ],
    )


@transaction.atomic
def model_copy_as_new_version(*, model: MaturityModel, by=None) -> MaturityModel:
    """An editable, unpublished copy of a (frozen) model, numbered as the next version."""
    copy = _model_create(model_export(model=model))
    record(AuditEvent.Action.MODEL_COPIED, copy, by=by, copied_from=model.pk)
    return copy
