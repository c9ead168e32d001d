"""Webhook URLs sealed at rest (teams.sealing): whoever holds a copy of the database cannot post
to the channel. A changed DJANGO_SECRET_KEY leaves the sealed URLs unreadable, and their webhooks
say so until the URL is typed again.
"""

from __future__ import annotations

from teams.sealing import Unreadable
from teams.sealing import seal as _seal
from teams.sealing import unseal as _unseal

__all__ = ["Unreadable", "seal", "unseal"]

PURPOSE = b"gemba chat webhook url"


def seal(text: str) -> str:
    return _seal(text, purpose=PURPOSE)


def unseal(token: str) -> str:
    try:
        return _unseal(token, purpose=PURPOSE)
    except Unreadable as error:
        raise Unreadable("sealed with another DJANGO_SECRET_KEY: enter the webhook URL again") from error
