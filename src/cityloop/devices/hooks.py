"""What other apps add to the ingestion pipeline (``ingest``), installed by them when Django
starts (their ``AppConfig.ready``): the telemetry app imports nothing of theirs
(docs/decisions/0044-sorting-app.md).

- ``lookups``: the households of a batch's disposal cards and the points and waste types of the
  bins trucks emptied by RFID tag, read before the write transaction (one function; without
  one, records carry no household and a truck's record no point).
- ``listeners``: called with the records stored for the first time, in the order installed:
  ``prepare`` before the write transaction (no lock held; called again with the records that
  remain if some messages turn out to be replays), then ``apply`` inside it with what
  ``prepare`` returned. The sorting app installs its roll-ups, then its reactions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from cityloop.devices.stored import Stored


class Lookups(NamedTuple):
    """What ``lookups`` found for a batch: households by card id, and a bin's (point, waste
    type) by its RFID tag."""

    households: dict[str, int]
    bins: dict[str, tuple[int, str]]


NOTHING_FOUND = Lookups({}, {})


class Listener(NamedTuple):
    name: str  # installing the same name again replaces it (a repeated ``ready``)
    prepare: Callable[[list[Stored]], Any]
    apply: Callable[[list[Stored], Any, datetime], None]


_lookups: list[Callable[[set[str], set[str]], Lookups]] = []
_listeners: dict[str, Listener] = {}


def install_lookups(function: Callable[[set[str], set[str]], Lookups]) -> None:
    """``function(cards, tags)`` is what ``lookups`` asks from now on."""
    _lookups[:] = [function]


def install_listener(listener: Listener) -> None:
    _listeners[listener.name] = listener


def lookups(cards: set[str], tags: set[str]) -> Lookups:
    if not _lookups or not (cards or tags):
        return NOTHING_FOUND
    return _lookups[0](cards, tags)


def listeners() -> list[Listener]:
    return list(_listeners.values())
