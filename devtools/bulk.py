"""Bulk loading for the large demo seeds: rows through bulk_rows (COPY on PostgreSQL), faster
SQLite settings while a seed writes, foreign keys checked once after the load, a progress bar."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from contextlib import contextmanager
from typing import TextIO

from django.core.management.base import OutputWrapper
from django.db import connection, models


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
