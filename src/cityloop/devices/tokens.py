"""Device tokens: made once (shown then and never again), checked by SHA-256 hash.

Follows ``cityloop.org.tokens``; device tokens start with ``dv_`` so that a staff token and a
device token are never confused.
"""

from __future__ import annotations

from cityloop.core.keys import key_hash, new_key
from cityloop.devices.models import Device

PREFIX = "dv_"


def token_hash(key: str) -> str:
    return key_hash(key)


def new_token() -> tuple[str, str, str]:
    """A fresh key, its display prefix and its hash."""
    key = new_key(PREFIX)
    return key, key[len(PREFIX) : len(PREFIX) + 6], token_hash(key)


def device_for_token(key: str) -> Device | None:
    """The active device behind ``key``, or None."""
    if not key:
        return None
    return Device.objects.filter(token_hash=token_hash(key), is_active=True).first()
