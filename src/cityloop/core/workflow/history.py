"""The history row every workflow appends: who, from which unit, when, what changed, and why.

A module's history model subclasses ``HistoryEntry`` and adds the foreign key to its record
(``CaseEvent.case``, ``CollectionTaskEvent.task``); ``History`` (``history_writer``) is the
kernel's ``write_history`` for it. Rows are append-only: nothing updates or deletes one (the
record's audit trail).
"""

from __future__ import annotations

from collections.abc import Callable
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
