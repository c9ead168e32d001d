"""Reading deployment and incident history from CSV files, row by row, with every problem named.

The rows go through the same schemas as the ingest API, so a CSV row is valid exactly when the
same record posted to the API would be. Nothing here writes: `services.history_import` does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from delivery.schemas import DeploymentIn, IncidentIn
from delivery.services import RowError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000

DEPLOYMENT_COLUMNS = (
    "external_id",
    "service",
    "environment",
    "deployed_at",
    "first_commit_at",
    "status",
    "is_rework",
)
DEPLOYMENT_REQUIRED = DEPLOYMENT_COLUMNS[:-1]
INCIDENT_COLUMNS = (
    "external_id",
    "service",
    "severity",
    "started_at",
    "resolved_at",
    "deployment_external_id",
)
INCIDENT_REQUIRED = INCIDENT_COLUMNS[:4]


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_csv(upload: IO[bytes], *, columns: Iterable[str], required: Iterable[str]) -> list[tuple[int, dict]]:
    """(row number, cells) for each non-blank data row; empty cells are left out."""
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise FileProblem(_("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(
            _("The file is not UTF-8 text (byte %(position)s).") % {"position": error.start}
        ) from None
    if "\x00" in text:
        raise FileProblem(_("The file contains NUL bytes; save it as CSV text."))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise FileProblem(_("The file is empty: the first row must name the columns."))
        names = [cell.strip().lower() for cell in header]
        unknown = [name for name in names if name not in columns]
        if unknown:
            raise FileProblem(
                _("Unknown columns: %(unknown)s. The columns are: %(columns)s.")
                % {"unknown": ", ".join(unknown), "columns": ", ".join(columns)}
            )
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise FileProblem(_("Columns named twice: %(names)s.") % {"names": ", ".join(duplicates)})
        missing = [name for name in required if name not in names]
        if missing:
            raise FileProblem(_("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)})

        rows: list[tuple[int, dict]] = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise FileProblem(_("The file has more than %(rows)s rows; split it.") % {"rows": MAX_ROWS})
            row: dict = {name: cell for name, cell in zip(names, cells, strict=False) if cell.strip()}
            if len(cells) > len(names):
                row["__extra__"] = cells[len(names) :]
            rows.append((number, row))
    except csv.Error as error:
        raise FileProblem(_("The file is not valid CSV: %(error)s.") % {"error": error}) from None
    return rows


def _message(error: dict) -> str:
    kind = error["type"]
    if kind == "missing":
        return _("This value is required.")
    if kind in {"timezone_aware", "datetime_parsing", "datetime_from_date_parsing", "datetime_type"}:
        return _("Use an ISO-8601 date and time with a time zone, e.g. 2025-03-01T14:30:00Z.")
    if kind == "literal_error":
        return _("Use one of: %(choices)s.") % {"choices": error.get("ctx", {}).get("expected", "")}
    if kind == "string_too_long":
        return _("At most %(max)s characters.") % {"max": error.get("ctx", {}).get("max_length")}
    if kind == "bool_parsing":
        return _("Use true or false.")
    if kind == "value_error":
        # Our own validators' messages, already translated.
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


def validate_rows[S: BaseModel](
    rows: list[tuple[int, dict]], schema: type[S], *, file: str
) -> tuple[list[tuple[int, S]], list[RowError]]:
    """Each row through the API schema: the valid ones and an error per bad field."""
    valid: list[tuple[int, S]] = []
    errors: list[RowError] = []
    for number, row in rows:
        extra = row.pop("__extra__", None)
        if extra is not None:
            errors.append(
                RowError(file, number, "", _("This row has more cells than the header has columns."))
            )
            continue
        try:
            valid.append((number, schema.model_validate(row)))
        except ValidationError as error:
            for problem in error.errors(include_url=False):
                field = ".".join(str(part) for part in problem["loc"])
                errors.append(RowError(file, number, field, _message(problem)))
    return valid, errors


def read_deployments(
    upload: IO[bytes], *, file: str
) -> tuple[list[tuple[int, DeploymentIn]], list[RowError]]:
    rows = read_csv(upload, columns=DEPLOYMENT_COLUMNS, required=DEPLOYMENT_REQUIRED)
    return validate_rows(rows, DeploymentIn, file=file)


def read_incidents(upload: IO[bytes], *, file: str) -> tuple[list[tuple[int, IncidentIn]], list[RowError]]:
    rows = read_csv(upload, columns=INCIDENT_COLUMNS, required=INCIDENT_REQUIRED)
    return validate_rows(rows, IncidentIn, file=file)
