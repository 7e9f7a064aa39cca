"""Hash chains: the digest primitives that the waste evidence packages (sorting.evidence) and
the chained workflow histories (core.workflow.history.ChainedHistoryEntry) both use.

A link's ``digest = sha256(previous digest + canonical content)``; the first link of a chain
chains to ``GENESIS``. Changing, removing or inserting a link changes every digest after it, so
a check that recomputes the chain from the stored rows finds the first link that differs
(docs/decisions/0024, 0054).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, non-ASCII kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(*parts: str) -> str:
    return hashlib.sha256("".join(parts).encode("utf-8")).hexdigest()


def link(previous: str, content: Any) -> str:
    """The digest of a link holding ``content`` (canonical JSON) after ``previous``."""
    return sha256(previous, canonical(content))


def instant(moment: datetime | None) -> str | None:
    """A moment as sealed: ISO 8601 in UTC (the same on SQLite and PostgreSQL)."""
    return moment.astimezone(UTC).isoformat() if moment is not None else None
