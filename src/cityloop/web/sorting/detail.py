"""The point detail and the household lookup: registry rows and the records behind them.

These pages list records (today's at one point, a household's latest): reads through the
``Record`` indexes ``(point, occurred_at)`` and ``(day, household)`` (with the records not yet
filed in it, ``cityloop.devices.filing``), bounded by a day or by a limit. Indicators (rates)
still come from ``cityloop.sorting.indicators``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import timezone

from cityloop.devices import filing
from cityloop.devices.choices import MessageKind
from cityloop.devices.models import Record
from cityloop.sorting import indicators
from cityloop.sorting.choices import AlarmKind, WasteType
from cityloop.sorting.models import AlarmCase, CollectionPoint, CollectionTask, Household
from cityloop.web.sorting.access import MASK, may_look_up_households, may_see_address
from cityloop.web.sorting.dashboard import pct

RECORDS_PER_PAGE = 25
RECENT_ALARMS = 10
RECENT_TASKS = 10
HOUSEHOLD_DISPOSALS = 30
HOUSEHOLD_MONTHS = 12


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def record_row(record: Record, *, show_household: bool) -> dict:
    """One record as a table row: what it says, in words, by kind."""
    payload = record.payload or {}
    if record.kind == MessageKind.AI_ALARM:
        what = _label(AlarmKind, str(payload.get("alarm", "")))
        if isinstance(payload.get("confidence"), int | float):
            what += f" · {round(payload['confidence'] * 100)}%"
    elif record.kind == MessageKind.FILL_LEVEL:
        level = payload.get("level")
        what = f"{round(level * 100)}%" if isinstance(level, int | float) else ""
    elif record.kind == MessageKind.TRUCK_COLLECTION:
        what = str(payload.get("plate", ""))
        if payload.get("sorting_score") is not None:
            what += f" · {payload['sorting_score']}"
    else:
        what = ""
    household = record.household.code if show_household and record.household_id else ""
    return {
        "at": timezone.localtime(record.occurred_at),
        "kind": _label(MessageKind, record.kind),
        "kind_value": record.kind,
        "waste_type": _label(WasteType, record.waste_type) if record.waste_type else "",
        "weight_kg": record.weight_kg,
        "is_correct": record.is_correct,
        "what": what.strip(" ·"),
        "household": household,
        "device": record.device.code,
    }


def todays_records(point: CollectionPoint, page_number, *, user, today: date) -> Page:
    """Today's records at the point, latest first, one page (rows in ``page.rows``)."""
    start = day_start(today)
    records = (
        Record.objects.filter(point=point, occurred_at__gte=start)
        .filter(occurred_at__lt=start + timedelta(days=1))
        .select_related("household", "device")
        .order_by("-occurred_at", "-id")
    )
    page = Paginator(records, RECORDS_PER_PAGE).get_page(page_number)
    show = may_look_up_households(user)
    page.rows = [record_row(r, show_household=show) for r in page.object_list]
    return page


def point_context(user, point: CollectionPoint, page_number=None) -> dict:
    now = timezone.now()
    today = timezone.localdate()
    devices = list(point.devices.order_by("kind", "code"))
    online = sum(1 for d in devices if d.is_active and d.is_online(now))
    rate = next(
        (
            r
            for r in indicators.point_rates(point.community, today, today)
            if r.point_id == point.pk
        ),
        None,
    )
    return {
        "point": point,
        "street": point.community.parent,
        "bins": list(point.bins.all()),
        "devices": [
            {"device": d, "online": d.is_active and d.is_online(now), "kind": d.get_kind_display()}
            for d in devices
        ],
        "devices_online": online,
        "today": today,
        "today_rate": {
            "disposals": rate.disposals if rate else 0,
            "judged": rate.judged if rate else 0,
            "correct": rate.correct if rate else 0,
            "rate": pct(rate.rate) if rate else None,
        },
        "page": todays_records(point, page_number, user=user, today=today),
        "alarms": list(
            AlarmCase.objects.filter(point=point)
            .select_related("case")
            .order_by("-last_at", "-id")[:RECENT_ALARMS]
        ),
        "tasks": list(
            CollectionTask.objects.filter(point=point)
            .select_related("contractor")
            .order_by("-opened_at", "-id")[:RECENT_TASKS]
        ),
        "may_look_up": may_look_up_households(user),
        "now": now,
    }


def find_household(queryset, q: str) -> Household | None:
    """By pseudonymous household id or by any of its card ids (active or not)."""
    match = queryset.filter(Q(code=q) | Q(cards__card_id=q)).distinct()
    return match.select_related("community", "community__parent", "point").first()


def _month_start(today: date, months_back: int) -> date:
    year, month = today.year, today.month - months_back
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def household_context(user, household: Household) -> dict:
    today = timezone.localdate(timezone=timezone.get_default_timezone())  # records' days
    show_address = may_see_address(user)
    # A household's records are found day by day (the (day, household) index, and the
    # records not yet filed in it: ``filing``): its latest disposals among the days records
    # are kept for, and every day of the summary's months.
    disposals = Record.objects.filter(kind=MessageKind.DISPOSAL)
    # (from tomorrow: a device's clock may run minutes ahead near midnight)
    kept = [today - timedelta(days=n) for n in range(-1, settings.CITYLOOP_INGEST_PAST_DAYS + 1)]
    recent = list(
        filing.household_records(
            disposals.select_related("point", "device"), household, kept
        ).order_by("-occurred_at", "-id")[:HOUSEHOLD_DISPOSALS]
    )
    first = _month_start(today, HOUSEHOLD_MONTHS - 1)
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    # Summed here: the two parts of ``household_records`` are one UNION ALL, which the ORM
    # does not aggregate; a household has a few records a day.
    sums: dict[date, dict] = {}
    rows = filing.household_records(disposals, household, days)
    for day, correct, kg in rows.values_list("day", "is_correct", "weight_kg"):
        month = day.replace(day=1)
        total = sums.setdefault(month, {"disposals": 0, "judged": 0, "correct": 0, "kg": 0.0})
        total["disposals"] += 1
        total["judged"] += correct is not None
        total["correct"] += correct is True
        total["kg"] += kg or 0.0
    months = [
        {
            "month": month,
            "disposals": m["disposals"],
            "incorrect": m["judged"] - m["correct"],
            "rate": pct(m["correct"] / m["judged"]) if m["judged"] else None,
            "kg": round(m["kg"], 1),
        }
        for month, m in sorted(sums.items(), reverse=True)
    ]
    return {
        "household": household,
        "street": household.community.parent,
        "show_address": show_address,
        "building": household.building if show_address else (MASK if household.building else ""),
        "room": household.room if show_address else (MASK if household.room else ""),
        "cards": list(household.cards.all()),
        "disposals": [
            {
                "at": timezone.localtime(r.occurred_at),
                "point": r.point,
                "waste_type": _label(WasteType, r.waste_type) if r.waste_type else "",
                "weight_kg": r.weight_kg,
                "is_correct": r.is_correct,
            }
            for r in recent
        ],
        "months": months,
    }
