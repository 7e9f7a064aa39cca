"""A household's records, filed under it in arrears on SQLite
(docs/decisions/0033-filing-in-arrears.md).

Readers find a household's records through the day × household index of ``devices_record``.
Households arrive in random order, so each new record lands on a random page of that index:
a batch of a thousand records dirtied about a thousand pages, which was most of the cost of
storing it on SQLite. There the pipeline therefore stores a household's records *unfiled*
(``filed`` false: outside that index, in a small index of unfiled ids that grows at its end),
and once ``FILE_EVERY`` records have come in since the oldest unfiled one, files them all in one
``UPDATE``, which touches each index page once. On PostgreSQL, whose writers run concurrently,
records are filed as they are stored.

Every reader of a household's records asks both parts in one statement
(``household_records``): the filed ones by day, the unfiled ones, at most about ``FILE_EVERY``
rows, through their own index (on PostgreSQL, where none wait, too). Records without a
household are filed at once: nobody looks them up by household.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection
from django.db.models import QuerySet

FILE_EVERY = 60_000  # unfiled records (ids since the oldest) that set off filing them all


def in_arrears() -> bool:
    """Whether records are filed in arrears on this database (SQLite: one writer at a time)."""
    return connection.vendor == "sqlite"


def file_pending(*, every: int | None = None) -> int:
    """File the unfiled records if the oldest of them is ``every`` (default ``FILE_EVERY``)
    ids or more behind the newest record; ``every=0``: whatever is unfiled. Call inside the
    writing transaction; returns how many were filed."""
    every = FILE_EVERY if every is None else every
    with connection.cursor() as cursor:
        # Both answered from an index's edge: the oldest unfiled id, the newest id.
        cursor.execute("SELECT min(id) FROM devices_record WHERE NOT filed")
        oldest = cursor.fetchone()[0]
        if oldest is None:
            return 0
        if every:
            cursor.execute("SELECT max(id) FROM devices_record")
            if cursor.fetchone()[0] - oldest < every:
                return 0
        cursor.execute("UPDATE devices_record SET filed = %s WHERE NOT filed", [True])
        return cursor.rowcount


def household_records(queryset: QuerySet, household, days: Iterable[date]) -> QuerySet:
    """``queryset`` (of ``Record``) narrowed to ``household`` on ``days``: the filed records
    through the day × household index and the unfiled ones through their own index, as one
    ``UNION ALL``. One statement reads one snapshot, so a filing committed meanwhile can neither
    hide records nor count them twice. (On PostgreSQL the unfiled part is empty, unless records
    were copied from SQLite: asking costs a look at an empty index.) Order, slice or pick
    columns on the result; ``select_related`` goes on ``queryset``."""
    mine = queryset.filter(household=household, day__in=list(days))
    return mine.filter(filed=True).union(mine.filter(filed=False), all=True)
