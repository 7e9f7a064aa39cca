"""What the sorting app adds to the ingestion pipeline (``cityloop.devices.hooks``), installed by
``apps.SortingConfig.ready``: the look-ups of disposal cards and bin tags in its registries, its
roll-ups, then its reactions (docs/decisions/0044-sorting-app.md)."""

from __future__ import annotations

from datetime import datetime

from cityloop.devices import hooks
from cityloop.devices.stored import Stored
from cityloop.devices.upserts import lookup
from cityloop.sorting import reactions, rollups
from cityloop.sorting.models import Bin, HouseholdCard


def lookups(cards: set[str], tags: set[str]) -> hooks.Lookups:
    """The households of the active cards among ``cards``, and the (point, waste type) of the
    bins tagged ``tags``: one query each."""
    households = dict(lookup(HouseholdCard, "card_id", "household_id", cards, "is_active"))
    bins = {
        tag: (point_id, waste_type)
        for tag, point_id, waste_type in lookup(Bin, "rfid_tag", "point_id, waste_type", tags)
    }
    return hooks.Lookups(households, bins)


def _nothing_to_prepare(_stored: list[Stored]) -> None:
    return None


def _react(stored: list[Stored], _prepared: None, now: datetime) -> None:
    reactions.react(stored, now=now)


ROLLUPS = hooks.Listener("sorting.rollups", rollups.plan, rollups.apply)
REACTIONS = hooks.Listener("sorting.reactions", _nothing_to_prepare, _react)


def install() -> None:
    hooks.install_lookups(lookups)
    hooks.install_listener(ROLLUPS)  # roll-ups first, then the reactions (their order before)
    hooks.install_listener(REACTIONS)
