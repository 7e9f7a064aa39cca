"""Key figures, charts and the worst overdue cases of the command centre.

The key figures are one aggregate over the cases with an indexed timestamp of ``Case``
(``reported_at``, ``filed_at``, ``dispatched_at``, ``closed_at``) in this month, with a
conditional count per figure for this month and today. Definitions: docs/web.md, "Command
centre".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Func, IntegerField, OuterRef, Q
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.translation import gettext

from cityloop.categories.models import MinorCategory
from cityloop.events.choices import OPEN_STATES, CaseState, ClockState, Source
from cityloop.events.models import Case, CaseAssignment
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit

PERIODS = ("today", "month")
TIMESTAMPS = ("reported_at", "filed_at", "dispatched_at", "closed_at")
TOP_CATEGORIES = 10
WORST_OVERDUE = 10


@dataclass(frozen=True)
class Periods:
    """The local (TIME_ZONE) starts of today and of this month, and now."""

    now: datetime
    today: datetime
    month: datetime

    @classmethod
    def at(cls, now: datetime | None = None) -> Periods:
        now = now or timezone.now()
        local = timezone.localtime(now)
        today = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return cls(now=now, today=today, month=today.replace(day=1))

    def start(self, period: str) -> datetime:
        return self.today if period == "today" else self.month


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _conditions(start: datetime) -> dict[str, Q]:
    """Each counted figure as a condition on a case, for a period starting at ``start``."""
    by_entity = CaseAssignment.objects.filter(
        case=OuterRef("pk"), unit__kind=UnitKind.SOCIAL_ENTITY
    )
    filed = Q(filed_at__gte=start)
    closed = Q(closed_at__gte=start)
    dispatched = Q(dispatched_at__gte=start)
    late = Q(state__in=OPEN_STATES, clock_state=ClockState.OVERDUE) | Q(closed_on_time=False)
    return {
        "reported": Q(reported_at__gte=start),
        "filed": filed,
        "overdue": filed & late,
        "closed": closed,
        "closed_on_time": closed & Q(closed_on_time=True),
        "rework": closed & Q(rework_count__gt=0),
        "dispatched": dispatched,
        # The timestamp first, so the subquery runs only for the cases dispatched.
        "entity_handled": dispatched & Q(Exists(by_entity)),
    }


def key_figures(user, periods: Periods | None = None) -> dict:
    """Today's and this month's key figures of the cases the user may see.

    One query: the cases with any of the four timestamps in this month, with a conditional
    count per figure and period; then one for the open cases by clock.
    """
    periods = periods or Periods.at()
    month = periods.month
    # The ids with any timestamp in the month: a UNION of four index range scans (an OR of
    # the four would scan the whole table), so the scope is checked on those cases only.
    in_month = [
        Case.objects.filter(**{f"{field}__gte": month}).order_by().values("pk")
        for field in TIMESTAMPS
    ]
    window = Q(pk__in=in_month[0].union(*in_month[1:]))
    aggregates = {
        f"{period}:{name}": Count("pk", filter=condition)
        for period in PERIODS
        for name, condition in _conditions(periods.start(period)).items()
    }
    counts = Case.objects.visible_to(user).filter(window).order_by().aggregate(**aggregates)
    figures = {}
    for period in PERIODS:
        row = {name: counts[f"{period}:{name}"] for name in _conditions(month)}
        figures[period] = {
            "since": periods.start(period).isoformat(),
            **row,
            "on_time_rate": _rate(row["closed_on_time"], row["closed"]),
            "rework_rate": _rate(row["rework"], row["closed"]),
            "entity_participation": _rate(row["entity_handled"], row["dispatched"]),
        }
    figures["open"] = open_by_clock(user)
    figures["as_of"] = periods.now.isoformat()
    return figures


def open_by_clock(user) -> dict[str, int]:
    """The open cases the user may see now, by deadline state, and their total (one query)."""
    rows = (
        Case.objects.visible_to(user)
        .filter(state__in=OPEN_STATES)
        .order_by()
        .values("clock_state")
        .annotate(n=Count("pk"))
    )
    counts = {state: 0 for state in ClockState.values}
    for row in rows:
        counts[row["clock_state"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def charts(user, period: str = "month", periods: Periods | None = None) -> dict:
    """Cases reported in the period by category (top N), source, street and hour of day.

    One ``GROUP BY`` category, source, street, hour over the cases the user may see (so the
    scope is checked once per case), summed here per dimension; then the names.
    """
    periods = periods or Periods.at()
    start = periods.start(period)
    shift = _whole_hour_offset(start, periods.now)
    if shift is None:
        hour = ExtractHour("reported_at", tzinfo=timezone.get_current_timezone())
    else:
        hour = UtcHour("reported_at")
    groups = list(
        Case.objects.visible_to(user)
        .filter(reported_at__gte=start, reported_at__lte=periods.now)
        .order_by()
        .annotate(hour=hour)
        .values_list("category_id", "source", "street_id", "hour")
        .annotate(n=Count("pk"))
    )
    totals: dict[str, Counter] = {
        dim: Counter() for dim in ("category", "source", "street", "hour")
    }
    for category_id, source, street_id, hour_of_day, n in groups:
        totals["category"][category_id] += n
        totals["source"][source] += n
        totals["street"][street_id] += n
        totals["hour"][(hour_of_day + (shift or 0)) % 24] += n
    by_hour, partial = _hours_so_far(totals["hour"], period, periods.now)
    return {
        "period": period,
        "since": periods.start(period).isoformat(),
        "by_category": _by_category(totals["category"]),
        "by_source": _by_source(totals["source"]),
        "by_street": _by_street(totals["street"]),
        "by_hour": by_hour,
        "partial_hour": partial,
    }


def _hours_so_far(counts: Counter, period: str, now: datetime) -> tuple[list, dict | None]:
    """Cases per hour of day (0–23). Today's hours still to come have no count yet (None,
    not 0) and the hour under way is marked (``index``, ``as_of``, ``label``): it is not a
    whole hour's count (decision 0037). Over the month every hour has happened."""
    hours: list[int | None] = [counts.get(hour, 0) for hour in range(24)]
    if period != "today":
        return hours, None
    local = timezone.localtime(now)
    as_of = local.strftime("%H:%M")
    partial = {
        "index": local.hour,
        "as_of": as_of,
        "label": gettext("Today so far (to %(time)s)") % {"time": as_of},
    }
    return [n if hour <= local.hour else None for hour, n in enumerate(hours)], partial


class UtcHour(Func):
    """The hour (0–23) of a timestamp in UTC, computed by the database itself.

    Django's ``ExtractHour`` with a time zone runs a Python function per row on SQLite; this
    is plain SQL on both backends. The local hour is the UTC hour shifted by the zone's
    offset, exact while that offset is a whole number of hours and the same all through the
    period (``_whole_hour_offset``; Asia/Shanghai is always +8), else ``charts`` falls back
    to ``ExtractHour``.
    """

    output_field = IntegerField()
    template = "CAST(EXTRACT(HOUR FROM %(expressions)s AT TIME ZONE 'UTC') AS INTEGER)"

    def as_sqlite(self, compiler, connection, **extra):
        template = "CAST(strftime('%%%%H', %(expressions)s) AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)


def _whole_hour_offset(start: datetime, end: datetime) -> int | None:
    """The local zone's UTC offset in whole hours if the same at both ends, else None."""
    offsets = {timezone.localtime(moment).utcoffset() for moment in (start, end)}
    if len(offsets) != 1:
        return None
    seconds = int(offsets.pop().total_seconds())
    return seconds // 3600 if seconds % 3600 == 0 else None


def _by_category(counts: Counter) -> list[dict]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0] or 0))
    top, rest = ranked[:TOP_CATEGORIES], sum(n for _, n in ranked[TOP_CATEGORIES:])
    names = {
        row["pk"]: row
        for row in MinorCategory.objects.filter(pk__in=[pk for pk, _ in top if pk]).values(
            "pk", "name", "major__name"
        )
    }
    rows = [
        {
            "name": names[pk]["name"] if pk in names else "—",
            "major": names[pk]["major__name"] if pk in names else "",
            "count": n,
        }
        for pk, n in top
    ]
    if rest:
        rows.append({"name": "", "major": "", "count": rest, "is_other": True})
    return rows


def _by_source(counts: Counter) -> list[dict]:
    labels = dict(Source.choices)
    return [
        {"source": value, "label": str(labels[value]), "count": counts[value]}
        for value in Source.values
        if counts.get(value)
    ]


def _by_street(counts: Counter) -> list[dict]:
    names = dict(Unit.objects.filter(pk__in=[pk for pk in counts if pk]).values_list("pk", "name"))
    rows = [
        {"street_id": pk, "name": names.get(pk, ""), "count": n}
        for pk, n in counts.items()
        if pk is not None
    ]
    rows.sort(key=lambda row: (-row["count"], row["name"]))
    if counts.get(None):
        rows.append({"street_id": None, "name": "", "count": counts[None]})
    return rows


def worst_overdue(user, limit: int = WORST_OVERDUE, now: datetime | None = None) -> list[dict]:
    """The open overdue cases furthest past their deadline (one query)."""
    now = now or timezone.now()
    rows = (
        Case.objects.visible_to(user)
        .filter(state__in=OPEN_STATES, clock_state=ClockState.OVERDUE, deadline__isnull=False)
        .order_by("deadline", "pk")
        .values(
            "ticket",
            "state",
            "deadline",
            "address",
            "category__name",
            "street__name",
            "community__name",
        )[:limit]
    )
    states = dict(CaseState.choices)
    return [
        {
            "ticket": row["ticket"],
            "url": f"/cases/{row['ticket']}/",
            "category": row["category__name"] or "",
            "state": row["state"],
            "state_label": str(states.get(row["state"], row["state"])),
            "street": row["street__name"] or "",
            "community": row["community__name"] or "",
            "address": row["address"],
            "deadline": row["deadline"].isoformat(),
            "overdue_hours": round(late / 3600, 1),
            "overdue_days": round(late / 86400, 1),
        }
        for row in rows
        for late in [(now - row["deadline"]).total_seconds()]
    ]
