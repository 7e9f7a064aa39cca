"""A case's statutory clocks (``models.CaseClock``), counted by the kernel's clock functions.

Each clock is one row per case and kind: started, suspended, resumed, extended and stopped by
the handlers, turned by the sweep (``sweep``). The periods and their articles are
``PERIODS``: 《行政处罚法》 第八十五条 makes its 二日/三日/五日/七日 working days; 15, 60 and 90
days are natural days; months are months (docs/clocks.md has the counting rules).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from cityloop.core.workflow.clocks import (
    ClockReading,
    Period,
    PeriodUnit,
    extend,
    extend_to,
    resume,
    start_clock,
    suspend,
)
from cityloop.core.workflow.sweep import ClockFields, sweep_clocks
from cityloop.enforcement.choices import ClockKind, ClockState
from cityloop.enforcement.models import CaseClock, EnforcementCase
from cityloop.enforcement.workflow import CLOCK_STATES

K = ClockKind
# The statutory period of each clock and the article that fixes it.
PERIODS: dict[str, tuple[Period, str]] = {
    K.DECISION: (Period.natural_days(90), "《行政处罚法》第六十条"),
    K.PRESERVATION: (Period.working_days(7), "《行政处罚法》第五十六条、第八十五条"),
    K.STATEMENT: (Period.working_days(5), "《行政处罚法》第六十四条、第八十五条"),
    K.SERVICE: (Period.working_days(7), "《行政处罚法》第六十一条、第八十五条"),
    K.PAYMENT: (Period.natural_days(15), "《行政处罚法》第六十七条"),
    K.HANDOVER: (Period.working_days(2), "《行政处罚法》第七十一条、第八十五条"),
    K.REMINDER: (Period.natural_days(10), "《行政强制法》第五十四条"),
    K.COURT: (Period.months(3), "《行政强制法》第五十三条"),
}
FIELDS = ClockFields(suspended_at="suspended_at", touched=("updated_at",))
LIVE = (ClockState.RUNNING, ClockState.WARNING, ClockState.OVERDUE)


def _reading(clock: CaseClock) -> ClockReading:
    unit = PeriodUnit(clock.period_unit)
    period = None if clock.period_amount is None else Period(clock.period_amount, unit)
    left = None
    if clock.suspended_left is not None:
        left = Period(clock.suspended_left, PeriodUnit(clock.suspended_unit or unit))
    return ClockReading(
        start=clock.started_at,
        period=period,
        unit_kind=unit,
        deadline=clock.deadline,
        warn_at=clock.warn_at,
        warn_share=_share(),
        suspended_at=clock.suspended_at,
        suspended_left=left,
    )


def _store(clock: CaseClock, reading: ClockReading, now: datetime) -> CaseClock:
    fill(clock, reading, now)
    clock.save()
    return clock


def fill(clock: CaseClock, reading: ClockReading, now: datetime) -> CaseClock:
    """Put ``reading`` on ``clock`` (unsaved), its state as of ``now``."""
    clock.started_at = reading.start
    clock.period_amount = None if reading.period is None else reading.period.amount
    clock.period_unit = reading.unit_kind
    clock.deadline, clock.warn_at = reading.deadline, reading.warn_at
    clock.suspended_at = reading.suspended_at
    left = reading.suspended_left
    clock.suspended_left = None if left is None else left.amount
    clock.suspended_unit = "" if left is None else left.unit
    clock.provisional_year = reading.provisional_year
    clock.clock_state = reading.state(now, CLOCK_STATES)
    return clock


def _share() -> float:
    from cityloop.enforcement.selectors import rules_on

    return rules_on(None).warn_share


def start(
    case: EnforcementCase,
    kind: str,
    now: datetime,
    *,
    period: Period | None = None,
    since: datetime | None = None,
    article: str = "",
) -> CaseClock:
    """Start (or start again) ``kind`` for ``case`` at ``since`` (default ``now``)."""
    clock = CaseClock.objects.filter(case=case, kind=kind).first() or CaseClock(
        case=case, kind=kind
    )
    started(clock, case.unit, now, period=period, since=since, article=article)
    clock.save()
    return clock


def started(
    clock: CaseClock,
    unit: Any,
    now: datetime,
    *,
    period: Period | None = None,
    since: datetime | None = None,
    article: str = "",
    warn_share: float | None = None,
) -> CaseClock:
    """``clock`` (unsaved) started at ``since`` (default ``now``) for its kind's statutory
    period, counted in ``unit``'s calendar: what ``start`` stores, and what the demo year
    writes in bulk (``warn_share`` given, the rules' share read once)."""
    default, cited = PERIODS.get(clock.kind, (None, ""))
    period = period or default
    if period is None:
        raise ValueError(f"clock {clock.kind} has no period")
    share = _share() if warn_share is None else warn_share
    reading = start_clock(since or now, period, unit, warn_share=share)
    clock.article = article or cited
    clock.stopped_at = None
    clock.extended_days = 0
    return fill(clock, reading, now)


def live(case: EnforcementCase, kind: str) -> CaseClock | None:
    return CaseClock.objects.filter(case=case, kind=kind, stopped_at__isnull=True).first()


def stop(case: EnforcementCase, kind: str, now: datetime) -> CaseClock | None:
    clock = live(case, kind)
    if clock is not None:
        clock.stopped_at = now
        clock.clock_state = ClockState.STOPPED
        clock.save(update_fields=["stopped_at", "clock_state", "updated_at"])
    return clock


def suspend_clock(case: EnforcementCase, kind: str, now: datetime) -> CaseClock | None:
    clock = live(case, kind)
    if clock is not None and clock.suspended_at is None:
        _store(clock, suspend(_reading(clock), now, case.unit), now)
    return clock


def resume_clock(case: EnforcementCase, kind: str, now: datetime) -> CaseClock | None:
    clock = live(case, kind)
    if clock is not None and clock.suspended_at is not None:
        _store(clock, resume(_reading(clock), now, case.unit), now)
    return clock


def extend_clock(case: EnforcementCase, kind: str, by: Period, now: datetime) -> CaseClock | None:
    clock = live(case, kind)
    if clock is not None:
        extended(clock, case.unit, by, now)
        clock.save()
    return clock


def extended(clock: CaseClock, unit: Any, by: Period, now: datetime) -> CaseClock:
    """``clock`` (unsaved) extended by ``by`` at ``now`` (延长, 第六十条)."""
    clock.extended_days += by.amount
    return fill(clock, extend(_reading(clock), by, now, unit), now)


def move_clock(case: EnforcementCase, kind: str, to: datetime, now: datetime) -> CaseClock | None:
    """A deadline someone chose (暂缓缴纳 to a date, 第六十六条)."""
    clock = live(case, kind)
    if clock is not None:
        _store(clock, extend_to(_reading(clock), to, now, case.unit), now)
    return clock


def sweep(now: datetime) -> dict[str, int]:
    """Turn every clock past its warning or deadline (one UPDATE per turn, the kernel's
    sweep), write one history row per turn on its case (the system's, 第四十七条's record) and
    tell the case's officers; the counts by the state they turned to."""
    from cityloop.enforcement.history import write_turns

    with transaction.atomic():
        turned = sweep_clocks(
            CaseClock, fields=FIELDS, states=CLOCK_STATES, now=now, returning=("case", "kind")
        )
        write_turns(turned, now)
    return {str(state): len(turns) for state, turns in turned.items()}
