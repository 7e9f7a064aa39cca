"""Ticket numbers: ``<prefix><YYYYMMDD>-<serial>``, e.g. ``LH20261124-000123``.

The serial restarts every day (Asia/Shanghai) and is handed out by one row per day, locked for
the increment, so concurrent intakes never share a number.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cityloop.events.models import TicketCounter


def ticket_prefix() -> str:
    return getattr(settings, "CITYLOOP_TICKET_PREFIX", "LH")


@transaction.atomic
def next_ticket(at: datetime | None = None) -> str:
    day = timezone.localtime(at or timezone.now()).date()
    TicketCounter.objects.get_or_create(day=day)
    TicketCounter.objects.filter(day=day).update(last=F("last") + 1)
    serial = TicketCounter.objects.get(day=day).last
    return f"{ticket_prefix()}{day:%Y%m%d}-{serial:06d}"


def ticket_block(day, count: int) -> list[str]:
    """Reserve ``count`` consecutive tickets of a day at once (bulk imports and the demo)."""
    with transaction.atomic():
        TicketCounter.objects.get_or_create(day=day)
        TicketCounter.objects.filter(day=day).update(last=F("last") + count)
        last = TicketCounter.objects.get(day=day).last
    return [f"{ticket_prefix()}{day:%Y%m%d}-{n:06d}" for n in range(last - count + 1, last + 1)]
