"""One way to cache what Gemba computes: under keys versioned by what the value depends on.

A value is remembered under its name and a canonical form of what decides it: the stamps and
versions of the data under it (a round's ``scored_at``, a team's delivery version and the day),
or the very numbers it draws (a chart), and the language. When any of that changes, the key
changes and the old entry is never read again: nothing is ever deleted to invalidate, no signal
is needed, and a value is never stale. Entries only expire to free room.

What a key depends on must be plain data (numbers, text, dates, lists, dicts, dataclasses and
named tuples of them, lazy translations): anything else is refused with a TypeError rather than
turned into a key that would not say what it holds. This is the lowest floor: it imports no app.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import hashlib
import json
import uuid
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from django.core.cache import cache
from django.utils.functional import Promise

DAY = 24 * 3600
# remembered_many keeps more items than this as one entry as well.
TOGETHER = 100


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Its fields one level down (json comes back here for nested ones): asdict() would copy
        # every nested value first, which costs more than the rest of the key.
        fields = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        return {"__type__": type(value).__qualname__, **fields}
    if isinstance(value, datetime.date | datetime.time):  # datetimes too
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID | Promise):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(
        f"a {type(value).__name__} cannot be part of a cache key: pass the plain data it stands for"
    )


def key(name: str, depends_on: Any) -> str:
    """The cache key of ``name`` for these dependencies."""
    canonical = json.dumps(depends_on, default=_plain, sort_keys=True, separators=(",", ":"))
    return f"gemba:{name}:{hashlib.sha256(canonical.encode()).hexdigest()}"


def remembered[T](name: str, depends_on: Any, compute: Callable[[], T], *, seconds: int = DAY) -> T:
    """The value for these dependencies: from the cache, else computed and kept."""
    entry = key(name, depends_on)
    value = cache.get(entry)
    if value is None:
        value = compute()
        cache.set(entry, value, seconds)
    return value


def remembered_many[K: Hashable, T](
    name: str,
    depends_on: Mapping[K, Any],
    compute: Callable[[list[K]], Mapping[K, T]],
    *,
    seconds: int = DAY,
) -> dict[K, T]:
    """Values for many items at once (one team each, say), each keyed by the item and what it
    depends on: those in the cache read in one round trip, the missing ones computed together by
    ``compute(missing items)`` and kept.

    More than ``TOGETHER`` items are also kept as one entry under every item's dependencies: the
    next reader of the same items (an org page over 4,000 teams) reads one value, not thousands;
    when one item changes, that entry is rebuilt from the others' own entries.
    """
    if len(depends_on) > TOGETHER:
        return remembered(
            f"{name}:together",
            depends_on,
            lambda: _remembered_each(name, depends_on, compute, seconds),
            seconds=seconds,
        )
    return _remembered_each(name, depends_on, compute, seconds)


def _remembered_each[K: Hashable, T](
    name: str, depends_on: Mapping[K, Any], compute: Callable[[list[K]], Mapping[K, T]], seconds: int
) -> dict[K, T]:
    entries = {item: key(name, (item, deps)) for item, deps in depends_on.items()}
    found = cache.get_many(list(entries.values()))
    values = {item: found[entry] for item, entry in entries.items() if entry in found}
    missing = [item for item in depends_on if item not in values]
    if missing:
        computed = compute(missing)
        cache.set_many({entries[item]: computed[item] for item in missing}, seconds)
        values.update({item: computed[item] for item in missing})
    return values
