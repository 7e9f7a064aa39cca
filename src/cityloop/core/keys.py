"""Secret keys shown once and stored only as a hash (API tokens, Open311 keys, device tokens).

A key is 256 random bits, so a fast SHA-256 is enough: nobody can guess one to try it.
"""

from __future__ import annotations

import hashlib
import secrets


def key_hash(key: str) -> str:
    """What is stored and looked up: the SHA-256 of the key (hex)."""
    return hashlib.sha256((key or "").encode()).hexdigest()


def new_key(prefix: str = "") -> str:
    """A fresh key: ``prefix`` followed by 32 random bytes, URL-safe."""
    return prefix + secrets.token_urlsafe(32)
