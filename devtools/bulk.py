"""Bulk loading for the large demo seeds: COPY on PostgreSQL, executemany elsewhere, and a progress bar.

Rows still go through the database's own constraints (unique, check, foreign keys): only the
ORM's per-object overhead is skipped, which is what makes 1.5 million answers load in seconds.
It lives on the ground floor so every app's demo module may use it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import TextIO

from django.core.management.base import OutputWrapper
from django.db import connection, models

# executemany in slices, so a generator of rows is never held in memory at once.
CHUNK = 20_000
# Field types whose Python values the SQLite driver cannot take as they are.
_CONVERTED = {"UUIDField", "DateTimeField", "DateField", "DecimalField", "JSONField"}


def bulk_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows (tuples in the order of ``fields``) into the model's table; returns how many.

    No model instances, no signals, no ``auto_now`` or defaults: give every column a value. On
    PostgreSQL the rows stream through COPY, elsewhere through executemany in chunks.
    """
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(field.column) for field in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY bypasses Django's cursor wrapper: map driver errors to django.db's as execute() does.
            with (
                connection.wrap_database_errors,
                cursor.copy(f"COPY {quote(meta.db_table)} ({column_list}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        converters: list[tuple[int, Callable]] = [
            (position, field.get_db_prep_save)
            for position, field in enumerate(columns)
            if (field.target_field if field.is_relation else field).get_internal_type() in _CONVERTED
        ]
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quote(meta.db_table)} ({column_list}) VALUES ({placeholders})"
        iterator = iter(rows)
        while chunk := list(islice(iterator, CHUNK)):
            if converters:
                chunk = [_convert(row, converters) for row in chunk]
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def _convert(row: Sequence, converters: list[tuple[int, Callable]]) -> list:
    values = list(row)
    for position, prepare in converters:
        values[position] = prepare(values[position], connection)
    return values


@contextmanager
def fast_loading():
    """For a seed only: on SQLite, skip the fsync after each write and keep more pages in memory.

    Safe for a database being filled from scratch (a crash means seeding again); put back on exit.
    """
    # SQLite refuses to change the safety level inside a transaction (as in a test): leave it then.
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB
        cursor.execute("PRAGMA temp_store=MEMORY")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-2000")


@contextmanager
def foreign_keys_checked_once(models_: Sequence[type[models.Model]]):
    """On PostgreSQL, check the foreign keys of these tables once, after the load, instead of row
    by row: their constraints are dropped, and added back at the end, which validates every row
    in one pass (PostgreSQL's own advice for bulk loads). Each deferred check of 16 million rows
    made the huge seed's commit take longer than everything else together. Elsewhere, nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        constraints = cursor.fetchall()
        quote = connection.ops.quote_name
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


class Progress:
    """A dependency-free progress bar on a terminal stream: ``label [#####-----]  50%  12.3 s``.

    Redraws in place with ``\\r`` at most ten times a second; ``stage()`` starts a new label
    over the same total work, ``done()`` ends the line.
    """

    def __init__(self, total: int, *, stream: TextIO | None = None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.done_units = 0
        self.label = ""
        self.started = time.perf_counter()
        self._drawn = 0.0

    def stage(self, label: str) -> None:
        """Name what is being done now."""
        self.label = label
        self._draw(force=True)

    def advance(self, units: int = 1) -> None:
        """Count some units of work as done."""
        self.done_units = min(self.total, self.done_units + units)
        self._draw()

    def done(self, message: str = "") -> float:
        """Fill the bar, end the line and return the seconds it took."""
        self.done_units = self.total
        if message:
            self.label = message
        self._draw(force=True)
        self._write("\n")
        return time.perf_counter() - self.started

    def _draw(self, *, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._drawn < 0.1:
            return
        self._drawn = now
        share = self.done_units / self.total
        filled = int(share * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"\r[{bar}] {share:4.0%} {now - self.started:6.1f} s  {self.label}"
        self._write(line.ljust(100)[:100])

    def _write(self, text: str) -> None:
        # A management command's OutputWrapper ends every write with a newline unless told not to.
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()
