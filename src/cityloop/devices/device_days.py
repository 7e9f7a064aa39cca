"""The devices' own roll-up (§4, device online rate): ``DeviceDay``, a device that sent at least
one message on a local day. Marked by the pipeline in its write transaction (``mark``) and
rebuilt from messages on demand (``rebuild``, called by the sorting app's roll-up rebuild)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from cityloop.devices.models import DeviceDay, Message, QuarantinedMessage
from cityloop.devices.upserts import upsert


def mark(devices: Iterable[int], now: datetime) -> None:
    """Mark ``devices`` seen today (the local day of ``now``)."""
    seen = sorted(set(devices))
    if not seen:
        return
    today = timezone.localtime(now).date()
    with connection.cursor() as cursor:
        upsert(cursor, DeviceDay, ["device_id", "day"], [], [(d, today) for d in seen])


def rebuild(start: date, end: date) -> int:
    """Add DeviceDay for every device that sent a message (accepted or quarantined) on a local
    day of ``start``..``end``; returns the number of rows added. Only added to: a day on which a
    device sent nothing but replays leaves no trace to rebuild it from."""
    zone = ZoneInfo(settings.TIME_ZONE)
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    received = Q(received_at__gte=since, received_at__lt=until)
    seen: set[tuple[int, date]] = set()
    for model, column in ((Message, "device_id"), (QuarantinedMessage, "sender_id")):
        seen |= set(
            model.objects.filter(received, **{f"{column}__isnull": False})
            .annotate(local_day=TruncDate("received_at", tzinfo=zone))
            .values_list(column, "local_day")
            .distinct()
        )
    before = DeviceDay.objects.filter(day__range=(start, end)).count()
    DeviceDay.objects.bulk_create(
        [DeviceDay(device_id=d, day=day) for d, day in sorted(seen)],
        batch_size=5_000,
        ignore_conflicts=True,
    )
    return DeviceDay.objects.filter(day__range=(start, end)).count() - before
