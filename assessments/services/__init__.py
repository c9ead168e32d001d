"""Writes of the assessments app, by concern; each one transaction, keyword-only arguments.

- ``maturity_models``: import, export and copy models; the shipped ones and their translations.
- ``responses``: a member's draft or submitted answers while a round is open.
- ``rounds``: create and close rounds (anonymising their answers).
- ``scores``: the stored aggregates of a closed round, and a team's target levels.
- ``retention``: old rounds' raw answers purged, their scores kept.

The names below are the ones the rest of Gemba calls (``services.round_close(...)``).
"""

from assessments.services.maturity_models import (
    DEFAULT_MODEL_FILE,
    PULSE_MODEL_FILE,
    SHIPPED_MODELS,
    default_model_ensure,
    model_copy_as_new_version,
    model_export,
    model_import,
    pulse_model_ensure,
    shipped_model_ensure,
    shipped_translations_sync,
)
from assessments.services.responses import (
    IncompleteSubmit,
    RoundNotOpen,
    UnknownQuestion,
    respondent_key,
    response_for,
    response_save,
)
from assessments.services.retention import answers_purge
from assessments.services.rounds import round_anonymise, round_close, round_create, rounds_close_due
from assessments.services.scores import AnswersPurged, scores_store, targets_set

__all__ = [
    "DEFAULT_MODEL_FILE",
    "PULSE_MODEL_FILE",
    "SHIPPED_MODELS",
    "AnswersPurged",
    "IncompleteSubmit",
    "UnknownQuestion",
    "RoundNotOpen",
    "answers_purge",
    "default_model_ensure",
    "model_copy_as_new_version",
    "model_export",
    "model_import",
    "pulse_model_ensure",
    "respondent_key",
    "response_for",
    "response_save",
    "round_anonymise",
    "round_close",
    "round_create",
    "rounds_close_due",
    "scores_store",
    "shipped_model_ensure",
    "shipped_translations_sync",
    "targets_set",
]
