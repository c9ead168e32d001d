"""API tokens: random, shown once, stored only as a SHA-256 hash. Pure, no database.

A token is 256 random bits, so a plain (unsalted, fast) hash is enough: there is nothing to
guess, and the hash can be looked up directly with a unique index.
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "gemba_"
# The raw token's length: the prefix and 43 URL-safe characters for 32 random bytes.
LENGTH = len(PREFIX) + 43
# How much of the token the lists show, so a lead can tell their tokens apart.
SHOWN = len(PREFIX) + 4


def generate() -> str:
    """A new random token."""
    return PREFIX + secrets.token_urlsafe(32)


def digest(raw: str) -> str:
    """The SHA-256 hex digest the database keeps instead of the token."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def looks_valid(raw: str) -> bool:
    """Whether the string could be one of our tokens (saves a query for garbage)."""
    return len(raw) == LENGTH and raw.startswith(PREFIX)


def shown_part(raw: str) -> str:
    """The start of the token that lists show."""
    return raw[:SHOWN]
