"""The history row every workflow appends: who, from which unit, when, what changed, and why.

A module's history model subclasses ``HistoryEntry`` and adds the foreign key to its record
(``CaseEvent.case``, ``CollectionTaskEvent.task``); ``History`` (``history_writer``) is the
kernel's ``write_history`` for it. Rows are append-only: nothing updates or deletes one (the
record's audit trail).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.core.workflow.actors import label_of, user_of


class HistoryEntry(models.Model):
    action = models.CharField(_("action"), max_length=24)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor (as shown)"), max_length=60, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class History:
    """``write_history`` for a ``Workflow``: one ``model`` row per action taken; ``row`` builds
    one unsaved, for the set-based path (``Workflow.apply_in_bulk``)."""

    def __init__(self, model: type[HistoryEntry], record_field: str) -> None:
        self.model, self.record_field = model, record_field

    def row(
        self, record: Any, action: str, before: str, after: str, actor: Any, at: Any, **extra: Any
    ) -> HistoryEntry:
        return self.model(
            **{self.record_field: record},
            action=action,
            from_state=before,
            to_state=after,
            actor=user_of(actor),
            actor_unit=getattr(actor, "unit", None),
            actor_label=label_of(actor)[:60],  # the column's length; the unit comes first
            at=at,
            **extra,
        )

    def __call__(self, ctx: Any, before: str) -> HistoryEntry:
        entry = self.row(
            ctx.record,
            ctx.transition.action,
            before,
            ctx.workflow.state_of(ctx.record),
            ctx.actor,
            ctx.now,
            comment=ctx.comment,
            data=ctx.data,
        )
        entry.save()
        return entry


def history_writer(model: type[HistoryEntry], record_field: str) -> Callable[[Any, str], Any]:
    return History(model, record_field)


# --- The chained history (《行政处罚法》 第四十七条's full-process record) ------------------------


class ChainedHistoryEntry(HistoryEntry):
    """A history row that is a link of its record's hash chain (core.chain): ``digest =
    sha256(previous_digest + canonical(sealed fields))``. The record keeps its chain's head
    (``history_head``), so that a removed last row is found too. ``verify_chain`` recomputes."""

    previous_digest = models.CharField(_("previous digest"), max_length=64)
    digest = models.CharField(_("digest (SHA-256)"), max_length=64)

    class Meta(HistoryEntry.Meta):
        abstract = True


def sealed_fields(entry: HistoryEntry, record_field: str) -> dict[str, Any]:
    """What a chained row's digest covers: every column but its own digests and its id."""
    from cityloop.core.chain import instant

    return {
        "record": getattr(entry, f"{record_field}_id"),
        "action": entry.action,
        "from": entry.from_state,
        "to": entry.to_state,
        "actor": entry.actor_id,
        "unit": entry.actor_unit_id,
        "label": entry.actor_label,
        "at": instant(entry.at),
        "comment": entry.comment,
        "data": entry.data,
    }


class ChainedHistory(History):
    """``write_history`` for a chained history: each row is sealed onto its record's chain
    before it is saved, and the record's ``history_head`` moves to it. The record is locked by
    the act (the kernel reads it ``select_for_update``), so two rows never share a previous."""

    model: type[ChainedHistoryEntry]

    def __init__(self, model: type[ChainedHistoryEntry], record_field: str) -> None:
        super().__init__(model, record_field)
        self.model = model

    def seal(self, entry: ChainedHistoryEntry, previous: str) -> str:
        from cityloop.core.chain import link

        # The details as the database gives them back (JSON: an int key becomes a string), so
        # that the digest recomputed from the stored row is the digest sealed now.
        entry.data = json.loads(json.dumps(entry.data))
        entry.previous_digest = previous
        entry.digest = link(previous, sealed_fields(entry, self.record_field))
        return entry.digest

    def head_of(self, record: Any) -> str:
        from cityloop.core.chain import GENESIS

        head = (
            type(record)
            ._default_manager.filter(pk=record.pk)
            .values_list("history_head", flat=True)
        )
        return next(iter(head), "") or GENESIS

    def append(self, entry: ChainedHistoryEntry) -> ChainedHistoryEntry:
        """Seal ``entry`` after its record's head, save it and move the head."""
        record = getattr(entry, self.record_field)
        digest = self.seal(entry, self.head_of(record))
        entry.save()
        type(record)._default_manager.filter(pk=record.pk).update(history_head=digest)
        record.history_head = digest
        return entry

    def seal_rows(self, rows: list[ChainedHistoryEntry], heads: dict[Any, str]) -> dict[Any, str]:
        """Seal unsaved ``rows`` (in their order) onto the chains whose current heads are
        ``heads`` (record pk → digest; missing → GENESIS), for a bulk insert; returns the new
        heads to store on the records."""
        from cityloop.core.chain import GENESIS

        heads = dict(heads)
        for row in rows:
            key = getattr(row, f"{self.record_field}_id")
            heads[key] = self.seal(row, heads.get(key, GENESIS))
        return heads

    def __call__(self, ctx: Any, before: str) -> HistoryEntry:
        entry = self.row(
            ctx.record,
            ctx.transition.action,
            before,
            ctx.workflow.state_of(ctx.record),
            ctx.actor,
            ctx.now,
            comment=ctx.comment,
            data=ctx.data,
        )
        return self.append(entry)  # type: ignore[arg-type]


def chained_history_writer(model: type[ChainedHistoryEntry], record_field: str) -> ChainedHistory:
    return ChainedHistory(model, record_field)


@dataclass
class ChainBreak:
    """Where a record's chain differs from what was sealed: ``what`` is ``row_digest`` (a row's
    fields were edited), ``row_chain`` (a row was removed, inserted or reordered) or
    ``head`` (the chain ends elsewhere than the record says: its last rows were removed)."""

    record: Any  # the record's pk
    row: Any  # the row's pk, or None for the head
    what: str
    data: dict[str, Any] = field(default_factory=dict)


def verify_chain(
    writer: ChainedHistory, records: Iterable[Any], *, chunk: int = 2000
) -> tuple[int, list[ChainBreak]]:
    """Recompute the chains of ``records`` (records with ``pk`` and ``history_head``) from
    their stored rows; returns (rows checked, breaks)."""
    from cityloop.core.chain import GENESIS, link

    breaks: list[ChainBreak] = []
    checked = 0
    heads = {r.pk: (r.history_head or GENESIS) for r in records}
    keys = sorted(heads)
    fk = f"{writer.record_field}_id"
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        rows = writer.model._default_manager.filter(**{f"{fk}__in": part}).order_by(fk, "id")
        previous: dict[Any, str] = {}
        for row in rows.iterator(chunk_size=chunk):
            key = getattr(row, fk)
            expected = previous.get(key, GENESIS)
            checked += 1
            if row.previous_digest != expected:
                breaks.append(
                    ChainBreak(key, row.pk, "row_chain", {"expected": expected,
                                                          "found": row.previous_digest})
                )  # fmt: skip
            if link(row.previous_digest, sealed_fields(row, writer.record_field)) != row.digest:
                breaks.append(ChainBreak(key, row.pk, "row_digest", {"action": row.action}))
            previous[key] = row.digest
        for key in part:
            end = previous.get(key, GENESIS)
            if end != heads[key]:
                breaks.append(ChainBreak(key, None, "head", {"head": heads[key], "end": end}))
    return checked, breaks
