"""Each stage's clock, counted in working time (or continuous time for urgent cases).

- The handling limit comes from the filing condition chosen when the case was filed (its
  time limit as written, e.g. "2天", "4小时", "2紧急工作时", interpreted by the catalogue),
  possibly different per area class (A core, B general, C outskirts).
- The other stages (accept, confirm, file, dispatch, verify, close) take ``StageTimeLimit``.
- Urgent cases count every stage on the continuous clock.
- The warning comes when ``CITYLOOP_WARNING_SHARE`` (default 80 %) of the limit is used.
- Suspension stops the clock; resuming moves the deadline by the working time left.
- A working-time clock that runs into a year without its official holiday arrangement is
  counted on the law's statutory days and marked provisional (``provisional_year``); each
  count keeps where it began and how much time it gave, so that it can be counted again when
  the arrangement arrives (``calendar_updates.py``; docs/decisions/0035).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings

from cityloop.core.workflow.clocks import (
    Period,
    deadline,
    provisional_year,
    time_left,
    time_unit,
)
from cityloop.core.workflow.clocks import state_at as clock_state
from cityloop.events.choices import ClockState, Stage, Urgency
from cityloop.events.models import Case, StageTimeLimit
from cityloop.events.services.refusals import CalendarMissing
from cityloop.events.workflow import TRANSITIONS
from cityloop.org.models import Unit
from cityloop.worktime.choices import ClockKind
from cityloop.worktime.errors import CalendarUnavailable

# A case's clock states, declared on its table beside the stages (events.workflow).
CLOCK_STATES = TRANSITIONS.clock_states

# The bureau's defaults (minutes of working time) for the stages the catalogue does not set.
DEFAULT_STAGE_MINUTES = {
    Stage.ACCEPT: 30,
    Stage.CONFIRM: 120,
    Stage.FILE: 30,
    Stage.DISPATCH: 30,
    Stage.VERIFY: 240,
    Stage.CLOSE: 60,
}


@dataclass(frozen=True)
class Limit:
    duration: timedelta
    clock: str


def warning_share() -> float:
    return float(getattr(settings, "CITYLOOP_WARNING_SHARE", 0.8))


def stage_limit(case: Case, stage: str) -> Limit | None:
    """The limit of a stage for this case, or None when the stage has no clock."""
    if stage == Stage.NONE:
        return None
    if stage == Stage.HANDLE:
        limit = _handle_limit(case)
    else:
        minutes, clock = _stage_limits().get(
            stage, (DEFAULT_STAGE_MINUTES[stage], ClockKind.WORKING)
        )
        limit = Limit(timedelta(minutes=minutes), clock)
    if case.urgency == Urgency.URGENT:
        return Limit(limit.duration, ClockKind.CONTINUOUS)
    return limit


# Stage limits are read at most every STAGE_LIMITS_TTL seconds per process: an edit in the
# admin counts everywhere within that time (a few rows, asked for by every intake).
STAGE_LIMITS_TTL = 30.0
_stage_cache: dict = {"at": -1e9, "rows": {}}


def _stage_limits() -> dict[str, tuple[int, str]]:
    now = time.monotonic()
    if now - _stage_cache["at"] > STAGE_LIMITS_TTL:
        rows = StageTimeLimit.objects.values_list("stage", "minutes", "clock")
        _stage_cache["rows"] = {stage: (minutes, clock) for stage, minutes, clock in rows}
        _stage_cache["at"] = now
    return _stage_cache["rows"]


def stage_limits_changed() -> None:
    """Forget the cached stage limits in this process (tests, and the admin after a save)."""
    _stage_cache["at"] = -1e9


def _handle_limit(case: Case) -> Limit:
    condition = case.filing_condition
    if condition is None:  # filed without a condition cannot happen; stay safe
        return Limit(timedelta(hours=16), ClockKind.WORKING)
    from cityloop.categories.selectors import condition_limit

    duration, clock = condition_limit(condition, case.area_class)
    return Limit(duration, clock)


F = TypeVar("F", bound=Callable)


def _refusing_unknown_years(count: F) -> F:
    """A count that reaches a year with no calendar refuses the action, naming the year."""

    @functools.wraps(count)
    def counted(*args, **kwargs):
        try:
            return count(*args, **kwargs)
        except CalendarMissing:
            raise
        except CalendarUnavailable as missing:
            raise CalendarMissing(missing) from missing

    return counted  # type: ignore[return-value]


@_refusing_unknown_years
def clock_start(*, case: Case, stage: str, now: datetime, unit: Unit | None) -> None:
    """Start ``stage``'s clock at ``now``: deadline, warning time and clock state."""
    case.stage = stage
    case.stage_started_at = now
    limit = stage_limit(case, stage)
    if limit is None:
        case.deadline = case.warn_at = None
        clock_count(case=case, anchor=None, limit=None, warn=None, clock=ClockKind.WORKING)
        case.clock_state = ClockState.STOPPED
        return
    share = limit.duration * warning_share()
    clock_count(
        case=case, anchor=now, limit=limit.duration, warn=share, clock=limit.clock, unit=unit
    )
    case.clock_state = ClockState.ON_TIME
    if stage == Stage.HANDLE and case.handle_deadline is None:
        # The first handling deadline is the one 按期结案 is judged by: a rework or an
        # escalation restarts the unit's clock but not the case's promise. A return (the
        # case was misrouted) clears it; an approved extension moves it.
        case.handle_deadline = case.deadline


@_refusing_unknown_years
def clock_cap_for_entity(*, case: Case, now: datetime, unit: Unit) -> None:
    """A social entity corrects within a short limit (CITYLOOP_ENTITY_CORRECTION_MINUTES of
    working time, default 120) when that is shorter than the category's; if it does not, the
    sweep escalates the case to the community or street."""
    minutes = int(getattr(settings, "CITYLOOP_ENTITY_CORRECTION_MINUTES", 120))
    limit = stage_limit(case, Stage.HANDLE)
    clock = limit.clock if limit else ClockKind.WORKING
    cap = deadline(now, Period.of_time(timedelta(minutes=minutes), clock), unit)
    if case.deadline is None or cap < case.deadline:
        before = case.deadline
        limit = timedelta(minutes=minutes)
        clock_count(
            case=case, anchor=now, limit=limit, warn=limit * warning_share(), clock=clock, unit=unit
        )
        if case.handle_deadline == before:
            case.handle_deadline = case.deadline


def clock_stop(*, case: Case, now: datetime) -> None:
    """Suspension: the clock stops where it is."""
    case.suspended_at = now
    case.clock_state = ClockState.STOPPED


@_refusing_unknown_years
def clock_resume(*, case: Case, now: datetime, unit: Unit | None) -> None:
    """Resume after suspension: what was left of the limit counts again from now."""
    clock = _running_clock(case)
    stopped = case.suspended_at or now
    left = [
        None if moment is None else time_left(stopped, moment, time_unit(clock), unit).duration
        for moment in (case.deadline, case.warn_at)
    ]
    if case.deadline is not None:
        clock_count(case=case, anchor=now, limit=left[0], warn=left[1], clock=clock, unit=unit)
    if case.stage == Stage.HANDLE:
        case.handle_deadline = case.deadline
    case.suspended_at = None
    case.clock_state = clock_state_at(case, now)


@_refusing_unknown_years
def clock_extend(*, case: Case, new_deadline: datetime, now: datetime, unit: Unit | None) -> None:
    """An approved extension: the deadline moves, the warning follows at the same share."""
    clock = _running_clock(case)
    left = time_left(now, new_deadline, time_unit(clock), unit).duration  # approved: after now
    clock_count(
        case=case, anchor=now, limit=None, warn=left * warning_share(), clock=clock, unit=unit
    )
    case.deadline = new_deadline  # a date the approver chose: never counted again
    case.provisional_year = None
    if case.stage == Stage.HANDLE:
        case.handle_deadline = new_deadline
    case.clock_state = clock_state_at(case, now)


def clock_count(
    *,
    case: Case,
    anchor: datetime | None,
    limit: timedelta | None,
    warn: timedelta | None,
    clock: str,
    unit: Unit | None = None,
) -> None:
    """Count the deadline and warning from ``anchor`` and keep what they were counted from.

    ``limit`` None keeps the deadline as it stands (a date someone chose). The deadline is
    provisional when a working-time count runs through a year without its arrangement.
    """
    case.clock_anchor_at, case.clock_limit, case.warn_limit = anchor, limit, warn
    if anchor is None:
        case.provisional_year = None
        return
    if limit is not None:
        case.deadline = deadline(anchor, Period.of_time(limit, clock), unit)
    if warn is not None:
        case.warn_at = deadline(anchor, Period.of_time(warn, clock), unit)
    if limit is not None:
        case.provisional_year = provisional_year(
            anchor, Period.of_time(limit, clock), case.deadline
        )


def clock_state_at(case: Case, now: datetime) -> str:
    return clock_state(
        deadline=case.deadline,
        warn_at=case.warn_at,
        suspended=case.suspended_at is not None,
        now=now,
        states=CLOCK_STATES,
    )


def _running_clock(case: Case) -> str:
    limit = stage_limit(case, case.stage)
    return limit.clock if limit else ClockKind.WORKING
