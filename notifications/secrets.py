"""Webhook URLs sealed at rest: whoever holds a copy of the database cannot post to the channel.

Fernet (AES-128-CBC with HMAC-SHA256, from the cryptography package) with a key derived from
DJANGO_SECRET_KEY; a changed secret key leaves the sealed URLs unreadable, and their webhooks
say so until the URL is typed again.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class Unreadable(Exception):
    """Sealed with another secret key: the URL must be entered again."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"gemba chat webhook url\x00" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def unseal(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise Unreadable("sealed with another DJANGO_SECRET_KEY: enter the webhook URL again") from error
