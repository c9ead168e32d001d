"""Cache backends."""

from __future__ import annotations

import time

from django.core.cache.backends.filebased import FileBasedCache

# How often a process looks whether the folder holds more than MAX_ENTRIES files.
CULL_EVERY_SECONDS = 60.0


class FolderCache(FileBasedCache):
    """Django's file cache, which lists its whole folder on every write to see whether to cull:
    with the 20,000 entries of a 400-team organisation that took 40 ms a write (every API call
    writes its rate-limit counter). This one looks at most once a minute per process, so the
    folder may pass MAX_ENTRIES for that long."""

    _next_cull = 0.0

    def _cull(self) -> None:
        now = time.monotonic()
        if now < self._next_cull:
            return
        self._next_cull = now + CULL_EVERY_SECONDS
        super()._cull()
