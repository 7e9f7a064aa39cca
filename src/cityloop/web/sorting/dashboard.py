"""What the garbage-sorting dashboard shows, from ``cityloop.sorting.indicators`` only.

Rates arrive as fractions (or None: nothing to divide by) and leave as percentages with one
decimal (or None, shown "—"); tonnes with three decimals. Counts of open work (collection tasks,
camera-alarm cases) are registry rows, not indicators, and are counted here.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.events.choices import OPEN_STATES
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit
from cityloop.sorting import indicators
from cityloop.sorting.choices import TaskStatus, WasteType
from cityloop.sorting.models import AlarmCase, CollectionTask

TREND_DAYS = 30
ALARM_DAYS = 7
# Map colours of a point by its correct-sorting rate (percent): good from GOOD, fair from FAIR.
GOOD, FAIR = 90.0, 75.0
PERIODS = ("today", "month")


def pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def tonnes(value: float) -> float:
    return round(value, 3)


def period_of(name: str, today: date) -> indicators.Period:
    return indicators.Period.of_day(today) if name == "today" else indicators.Period.of_month(today)


def _in_unit(unit: Unit) -> Q:
    return Q(point__community__path__startswith=unit.path)


def workload(unit: Unit, now=None) -> dict:
    """Open collection tasks (and how many are past due) and recent camera-alarm cases."""
    now = now or timezone.now()
    tasks = CollectionTask.objects.filter(_in_unit(unit), status=TaskStatus.OPEN)
    alarms = AlarmCase.objects.filter(_in_unit(unit), last_at__gte=now - timedelta(ALARM_DAYS))
    return {
        "tasks_open": tasks.count(),
        "tasks_overdue": tasks.filter(due_at__lt=now).count(),
        "alarm_cases": alarms.count(),
        "alarm_cases_open": alarms.filter(case__state__in=OPEN_STATES).count(),
        "alarm_days": ALARM_DAYS,
    }


def _rate_rows(day: indicators.Indicators, month: indicators.Indicators) -> list[dict]:
    subs = {
        "participation_rate": lambda i: f"{i.households_disposed}/{i.households_registered}",
        "correct_sorting_rate": lambda i: f"{i.correct}/{i.judged}",
        "device_online_rate": lambda i: f"{i.device_days_online}/{i.device_days}",
        "venue_coverage": lambda i: f"{i.venues_sorting}/{i.venues}",
    }
    rows = []
    for name, label in indicators.RATES:
        sub = subs.get(name)
        rows.append(
            {
                "name": name,
                "label": str(label),
                "today": pct(getattr(day, name)),
                "month": pct(getattr(month, name)),
                "today_sub": sub(day) if sub else "",
                "month_sub": sub(month) if sub else "",
            }
        )
    return rows


def _tonnage_rows(day: indicators.Indicators, month: indicators.Indicators) -> list[dict]:
    rows = []
    for value, label in WasteType.choices:
        rows.append(
            {
                "type": value,
                "label": str(label),
                "collected_today": tonnes(day.collected_t.get(value, 0.0)),
                "collected_month": tonnes(month.collected_t.get(value, 0.0)),
                "disposed_today": tonnes(day.disposed_t.get(value, 0.0)),
                "disposed_month": tonnes(month.disposed_t.get(value, 0.0)),
                "treated_today": None
                if day.treated_t is None
                else tonnes(day.treated_t.get(value, 0.0)),
                "treated_month": None
                if month.treated_t is None
                else tonnes(month.treated_t.get(value, 0.0)),
            }
        )
    return rows


def figures(unit: Unit, today: date | None = None) -> dict:
    """The headline panel: six rates and tonnages, today and this month, and open work."""
    today = today or timezone.localdate()
    day = indicators.summary(unit, indicators.Period.of_day(today))
    month = indicators.summary(unit, indicators.Period.of_month(today))
    return {
        "as_of": timezone.localtime().isoformat(timespec="seconds"),
        "day": today.isoformat(),
        "rates": _rate_rows(day, month),
        "tonnes": _tonnage_rows(day, month),
        "has_treated": month.treated_t is not None,
        "counts": {
            "disposals_today": day.disposals,
            "disposals_month": month.disposals,
            "households_registered": month.households_registered,
            "devices": month.devices,
        },
        "work": workload(unit),
    }


def child_ranking(unit: Unit, today: date | None = None, by: str = "correct_sorting_rate"):
    """The streets (of a district) or communities (of a street) ranked for the month."""
    if unit.kind == UnitKind.COMMUNITY:  # nothing below a community to rank
        return []
    today = today or timezone.localdate()
    rows = indicators.ranking(unit, indicators.Period.of_month(today), by=by)
    codes = dict(Unit.objects.filter(pk__in=[r.unit_id for r in rows]).values_list("pk", "code"))
    return [
        {
            "rank": r.rank,
            "unit_id": r.unit_id,
            "code": codes.get(r.unit_id) or "",
            "name": r.unit_name,
            "value": pct(r.value),
            **{name: pct(getattr(r.indicators, name)) for name in indicators.RATE_NAMES},
            "disposals": r.indicators.disposals,
            "collected_t": tonnes(sum(r.indicators.collected_t.values())),
        }
        for r in rows
    ]


def points_map(unit: Unit, period: str, today: date | None = None) -> dict:
    """Every active point of the unit as ``[code, lon, lat, rate %, disposals, name]``."""
    today = today or timezone.localdate()
    p = period_of(period, today)
    rows = indicators.point_rates(unit, p.start, p.end)
    points = [[r.code, r.lon, r.lat, pct(r.rate), r.disposals, r.name] for r in rows]
    rated = [r for r in rows if r.rate is not None]
    return {
        "period": period,
        "count": len(points),
        "bands": {
            "good": sum(1 for r in rated if r.rate * 100 >= GOOD),
            "fair": sum(1 for r in rated if FAIR <= r.rate * 100 < GOOD),
            "poor": sum(1 for r in rated if r.rate * 100 < FAIR),
            "none": len(rows) - len(rated),
        },
        "points": points,
    }


def partial_day(days: list[indicators.Indicators]) -> dict | None:
    """Where a daily trend stops being whole days: the first day that is not over (today), its
    position and the time its figures reach, or None when every day is complete.

    A day still under way is not a day's figure: at 10:00 nothing has been collected yet and
    few households have disposed, so drawn like the others it reads as a collapse at the right
    edge. The charts draw it apart (dashed, hollow point) under this label (decision 0037).
    """
    index = next((i for i, d in enumerate(days) if d.is_partial), None)
    if index is None:
        return None
    as_of = timezone.localtime().strftime("%H:%M")
    return {
        "index": index,
        "day": days[index].start.isoformat(),
        "as_of": as_of,
        "label": str(_("Today so far (to %(time)s)") % {"time": as_of}),
    }


def charts(unit: Unit, today: date | None = None, by: str = "correct_sorting_rate") -> dict:
    """The daily trends of the last ``TREND_DAYS`` days and the month's ranking of children.

    The last day is today, which is under way: ``trend.partial`` says so (``partial_day``).
    """
    today = today or timezone.localdate()
    start = today - timedelta(days=TREND_DAYS - 1)
    days = indicators.trend(unit, start, today, grain="day")
    trend = {
        "days": [d.start.isoformat() for d in days],
        "partial": partial_day(days),
        "rates": {name: [pct(getattr(d, name)) for d in days] for name in indicators.RATE_NAMES},
        "collected_t": {
            t: [tonnes(d.collected_t.get(t, 0.0)) for d in days] for t in WasteType.values
        },
        "disposals": [d.disposals for d in days],
    }
    ranking = child_ranking(unit, today, by)
    return {
        "by": by,
        "trend": trend,
        "ranking": [
            {"code": r["code"], "name": r["name"], "rank": r["rank"], "value": r["value"]}
            for r in ranking
        ],
    }


def chart_labels() -> dict:
    """Labels sorting.js needs (rate names, waste types, legend words)."""
    return {
        "rates": {name: str(label) for name, label in indicators.RATES},
        "types": {value: str(label) for value, label in WasteType.choices},
        "good": str(_("Correct sorting ≥ %(n)s%%") % {"n": int(GOOD)}),
        "fair": str(_("%(low)s–%(high)s%%") % {"low": int(FAIR), "high": int(GOOD)}),
        "poor": str(_("Below %(n)s%%") % {"n": int(FAIR)}),
        "none": str(_("No judged disposals")),
        "points": str(_("collection points")),
        "disposals": str(_("disposals")),
        "rate": str(_("Correct-sorting rate")),
        "tonnes": str(_("Collected (t)")),
        "percent": "%",
    }
