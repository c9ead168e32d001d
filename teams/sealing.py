"""Secrets sealed at rest: whoever holds a copy of the database cannot read them.

Fernet (AES-128-CBC with HMAC-SHA256, from the cryptography package) with a key derived from
DJANGO_SECRET_KEY and the secret's purpose, so a value sealed for one use cannot be opened for
another. A changed secret key leaves sealed values unreadable: they must be entered again.
It lives on the ground floor so every app may seal what it must keep (chat webhook URLs,
the signing secrets of delivery webhooks).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class Unreadable(Exception):
    """Sealed with another secret key: the value must be entered again."""


def _fernet(purpose: bytes) -> Fernet:
    digest = hashlib.sha256(purpose + b"\x00" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(text: str, *, purpose: bytes) -> str:
    return _fernet(purpose).encrypt(text.encode()).decode()


def unseal(token: str, *, purpose: bytes) -> str:
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise Unreadable("sealed with another DJANGO_SECRET_KEY: enter it again") from error
