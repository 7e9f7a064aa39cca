"""A record as the ingestion pipeline stored it (``ingest``), handed to what reacts to new
records: the roll-ups (``rollups.plan``) and the reactions. A module of its own, with no
imports of the pipeline or the models, so that those readers need not import the pipeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple


class Stored(NamedTuple):
    """A record as the pipeline stored it, handed to the roll-ups and reactions (only records
    stored for the first time: a replayed message hands over nothing)."""

    device_id: int
    message_id: str
    seq: int
    kind: str
    occurred_at: datetime  # aware
    day: date  # local day (TIME_ZONE) of occurred_at
    point_id: int | None  # the device's point, or the point of the bin a truck emptied
    household_id: int | None  # the household of the disposal card, when registered
    waste_type: str
    weight_kg: float | None
    is_correct: bool | None
    card_id: str
    payload: dict[str, Any]
