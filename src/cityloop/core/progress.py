"""Progress lines for long-running commands, and the one-line summary they end with."""

from __future__ import annotations

import sys
import time
from io import TextIOBase
from typing import TextIO


class Progress:
    """Prints ``[stage] done/total (pct) elapsed`` at most every ``interval`` seconds."""

    def __init__(self, stream: TextIO | TextIOBase | None = None, interval: float = 1.0) -> None:
        self.stream = stream or sys.stdout
        self.interval = interval
        self.started = time.monotonic()
        self._last = 0.0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def step(self, stage: str, done: int, total: int | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        share = f" ({100 * done / total:.0f}%)" if total else ""
        count = f"{done:,}/{total:,}" if total else f"{done:,}"
        self.stream.write(f"  [{stage}] {count}{share}  {self.elapsed():.1f}s\n")
        self.stream.flush()

    def stage(self, message: str) -> None:
        self.stream.write(f"- {message}  ({self.elapsed():.1f}s)\n")
        self.stream.flush()
        self._last = 0.0
