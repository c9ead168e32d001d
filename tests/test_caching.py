"""The one cache helper: keyed by what a value depends on, never stale, plain data only."""

import datetime
from dataclasses import dataclass

import pytest

from caching import key, remembered, remembered_many


@dataclass(frozen=True)
class Point:
    at: datetime.date
    value: float


def test_the_same_dependencies_give_the_same_key_and_any_change_a_new_one():
    base = key("x", (1, Point(datetime.date(2026, 1, 1), 2.5), {"b": 1, "a": 2}))
    assert base == key("x", (1, Point(datetime.date(2026, 1, 1), 2.5), {"a": 2, "b": 1}))
    assert base != key("x", (1, Point(datetime.date(2026, 1, 2), 2.5), {"a": 2, "b": 1}))
    assert base != key("y", (1, Point(datetime.date(2026, 1, 1), 2.5), {"a": 2, "b": 1}))


def test_a_value_is_computed_once_per_version(db):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert remembered("count", ("v1",), compute) == 1
    assert remembered("count", ("v1",), compute) == 1
    assert remembered("count", ("v2",), compute) == 2


def test_many_values_read_together_and_only_the_missing_computed(db):
    asked = []

    def compute(missing):
        asked.append(sorted(missing))
        return {item: item * 10 for item in missing}

    assert remembered_many("tens", {1: "a", 2: "a"}, compute) == {1: 10, 2: 20}
    assert remembered_many("tens", {1: "a", 2: "b", 3: "a"}, compute) == {1: 10, 2: 20, 3: 30}
    assert asked == [[1, 2], [2, 3]]


def test_many_items_are_read_back_as_one_entry_and_one_change_recomputes_only_its_item(db, monkeypatch):
    from django.core.cache import cache

    import caching

    asked = []

    def compute(missing):
        asked.append(len(missing))
        return {item: item * 10 for item in missing}

    versions = dict.fromkeys(range(caching.TOGETHER + 50), "a")
    assert remembered_many("many", versions, compute) == {item: item * 10 for item in versions}
    reads = []
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(len(keys)) or {})
    assert remembered_many("many", versions, compute)[7] == 70
    assert reads == [] and asked == [len(versions)]  # one entry read, nothing computed
    monkeypatch.undo()

    versions[7] = "b"
    assert remembered_many("many", versions, compute)[7] == 70
    assert asked == [len(versions), 1]  # the other items came from their own entries


def test_what_is_not_plain_data_is_refused():
    with pytest.raises(TypeError):
        key("x", object())


def test_the_folder_cache_culls_at_most_once_a_minute(tmp_path, monkeypatch):
    from caching import backends

    folder = backends.FolderCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 2, "CULL_FREQUENCY": 1}})
    listings = []
    monkeypatch.setattr(
        folder,
        "_list_cache_files",
        lambda: listings.append(1) or backends.FileBasedCache._list_cache_files(folder),
    )
    for number in range(5):
        folder.set(f"key-{number}", number)
    assert len(listings) == 1  # the first write looked; the next four within the minute did not
    assert folder.get("key-4") == 4
