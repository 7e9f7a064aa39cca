"""Ticket numbers: ``<prefix><YYYYMMDD>-<serial>``, e.g. ``LH20261124-000123``.

The serial restarts every day (Asia/Shanghai) and is handed out by one row per day, incremented
in one statement that locks the row, so concurrent intakes never share a number.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cityloop.events.models import TicketCounter


def ticket_prefix() -> str:
    return getattr(settings, "CITYLOOP_TICKET_PREFIX", "LH")


def next_ticket(at: datetime | None = None) -> str:
    """The next ticket of the day: one locked increment (``UPDATE … RETURNING``)."""
    day = timezone.localtime(at or timezone.now()).date()
    return _format(day, _increment(day, 1))


def _increment(day, count: int) -> int:
    """Add ``count`` to the day's counter and return its new value, creating the row once."""
    table = TicketCounter._meta.db_table
    sql = f'UPDATE "{table}" SET "last" = "last" + %s WHERE "day" = %s RETURNING "last"'  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [count, day])
        row = cursor.fetchone()
        if row is not None:
            return row[0]
    with transaction.atomic():
        TicketCounter.objects.get_or_create(day=day)
        return _increment(day, count)


def _format(day, serial: int) -> str:
    return f"{ticket_prefix()}{day:%Y%m%d}-{serial:06d}"


def ticket_block(day, count: int) -> list[str]:
    """Reserve ``count`` consecutive tickets of a day at once (bulk imports and the demo)."""
    last = _increment(day, count)
    return [_format(day, n) for n in range(last - count + 1, last + 1)]
