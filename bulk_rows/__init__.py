"""Rows in bulk: COPY on PostgreSQL, executemany elsewhere, without model instances.

Rows still go through the database's own constraints (unique, check, foreign keys): only the
ORM's per-object overhead is skipped, which is what makes a round's 150,000 stored aggregates
(4,000 teams) or a seed's million answers go in within seconds. The ground floor: every app
may use it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from django.db import connection, models

# executemany in slices, so a generator of rows is never held in memory at once.
CHUNK = 20_000
# Field types whose Python values the driver cannot take as they are, per database.
_CONVERTED = {
    "postgresql": {"JSONField"},
    "other": {"UUIDField", "DateTimeField", "DateField", "DecimalField", "JSONField"},
}


def bulk_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows (tuples in the order of ``fields``) into the model's table; returns how many.

    No model instances, no signals, no ``auto_now`` or defaults: give every column a value. On
    PostgreSQL the rows stream through COPY, elsewhere through executemany in chunks.
    """
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(field.column) for field in columns)
    converted = _CONVERTED["postgresql" if connection.vendor == "postgresql" else "other"]
    converters: list[tuple[int, Callable]] = [
        (position, _prepare(field))
        for position, field in enumerate(columns)
        if (field.target_field if field.is_relation else field).get_internal_type() in converted
    ]
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY bypasses Django's cursor wrapper: map driver errors to django.db's as execute() does.
            with (
                connection.wrap_database_errors,
                cursor.copy(f"COPY {quote(meta.db_table)} ({column_list}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(_convert(row, converters) if converters else row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quote(meta.db_table)} ({column_list}) VALUES ({placeholders})"
        iterator = iter(rows)
        while chunk := list(islice(iterator, CHUNK)):
            if converters:
                chunk = [_convert(row, converters) for row in chunk]
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def _prepare(field: models.Field) -> Callable:
    """How a value of this field goes to the driver: JSON as its text on PostgreSQL (COPY parses
    it, without an adapter object per value), everything else as Django prepares it."""
    if connection.vendor == "postgresql" and field.get_internal_type() == "JSONField":
        return lambda value, _connection: (
            None if value is None else json.dumps(value, cls=field.encoder, separators=(",", ":"))
        )
    return field.get_db_prep_save


def _convert(row: Sequence, converters: list[tuple[int, Callable]]) -> list:
    values = list(row)
    for position, prepare in converters:
        values[position] = prepare(values[position], connection)
    return values
