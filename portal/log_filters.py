"""Logging filters of the portal (named in settings.LOGGING)."""

from __future__ import annotations

import logging


class NoTracebackForClientErrors(logging.Filter):
    """A 4xx answer (a 403 for a read-only viewer, a 404) is the client's doing, not a bug: log its
    one line without the traceback of the PermissionDenied or Http404 behind it."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
