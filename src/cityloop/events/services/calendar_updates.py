"""Provisional deadlines counted again once their year has its official holiday arrangement.

A working-time clock that ran into a year without the State Council's arrangement was counted
on the law's statutory days alone and marked with that year (``Case.provisional_year``;
docs/decisions/0035). When the year gets its arrangement (an administrator enters the overrides
and declares the year, or a chinese-calendar release covers it), every such clock, open or
suspended, is counted again from where it began with the time it gave (``clock_anchor_at``,
``clock_limit``, ``warn_limit``) on the new calendar, in one pass: the cases are locked and read
at once, updated with one bulk statement per batch, and each case whose deadline moved gets a
history entry by the system saying from when to when. The units' own deadlines that followed the
case's follow it again; an assisting unit's date that someone chose stays.

The deadline sweep runs the pass first (one indexed query when nothing is provisional), so the
update reaches every clock within one sweep whatever brought the year; ``cityloop sweep`` runs it
at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cityloop.core.bulk import bulk_append
from cityloop.core.progress import Progress
from cityloop.events.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    LEAD_ROLES,
    OPEN_STATES,
    ClockEvent,
    Stage,
)
from cityloop.events.models import EVENT_FIELDS, SYSTEM_LABEL, Case, CaseAssignment, CaseEvent
from cityloop.events.services.deadlines import clock_state_at
from cityloop.org.models import Unit
from cityloop.worktime.clock import add_working_time
from cityloop.worktime.selectors import first_provisional_year, year_is_provisional

CASE_FIELDS = ["deadline", "warn_at", "handle_deadline", "provisional_year", "clock_state"]
BATCH = 500


@dataclass(frozen=True)
class RecountReport:
    years: list[int]
    counted: int
    moved: int

    def summary(self) -> str:
        years = ", ".join(str(y) for y in self.years) or "none"
        return (
            f"deadlines counted again: {self.counted:,} provisional clocks of {years}, "
            f"{self.moved:,} moved"
        )


def years_to_recount() -> list[int]:
    """The years clocks were counted provisionally in that now have their arrangement."""
    marked = (
        Case.objects.filter(provisional_year__isnull=False)
        .values_list("provisional_year", flat=True)
        .distinct()
    )
    return sorted(y for y in marked if not year_is_provisional(y))


def deadlines_recount(
    *, now: datetime | None = None, progress: Progress | None = None
) -> RecountReport:
    """Count again every clock counted provisionally in a year that now has its arrangement.

    Carries 按期结案 on the official calendar: a deadline counted before the State Council's
    notice was entered is counted again on it, with a history entry where it moved.
    """
    now = now or timezone.now()
    years = years_to_recount()
    if not years:
        return RecountReport(years=[], counted=0, moved=0)
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update()
            .filter(provisional_year__in=years, state__in=OPEN_STATES)
            .order_by("pk")
        )
        leads = _lead_units([c.pk for c in cases if c.stage == Stage.HANDLE])
        moves = [m for m in (_recount(c, leads.get(c.pk), now) for c in cases) if m is not None]
        Case.objects.bulk_update(cases, CASE_FIELDS, batch_size=BATCH)
        _follow(moves)
        bulk_append(model=CaseEvent, fields=EVENT_FIELDS, rows=(_entry(m, now) for m in moves))
        _forget_closed(years)
    if progress is not None:
        progress.stage(f"{len(cases):,} provisional clocks counted again, {len(moves):,} moved")
    return RecountReport(years=years, counted=len(cases), moved=len(moves))


@dataclass(frozen=True)
class _Move:
    case: Case
    before: datetime | None


def _recount(case: Case, unit: Unit | None, now: datetime) -> _Move | None:
    """Count the case's clock again in place; the move, if the deadline changed."""
    before = case.deadline
    if case.clock_anchor_at is None or case.clock_limit is None:
        case.provisional_year = None  # nothing counted to count again
        return None
    case.deadline = add_working_time(case.clock_anchor_at, case.clock_limit, unit)
    if case.warn_limit is not None:
        case.warn_at = add_working_time(case.clock_anchor_at, case.warn_limit, unit)
    if case.handle_deadline is not None and case.handle_deadline == before:
        case.handle_deadline = case.deadline
    case.provisional_year = first_provisional_year(case.clock_anchor_at, case.deadline)
    if case.suspended_at is None:
        case.clock_state = clock_state_at(case, now)
    return _Move(case, before) if case.deadline != before else None


def _lead_units(case_ids: list[int]) -> dict[int, Unit]:
    """The unit whose office hours count for each case being handled (its lead or sole unit)."""
    rows = CaseAssignment.objects.filter(
        case_id__in=case_ids, role__in=LEAD_ROLES, state__in=ACTIVE_ASSIGNMENT_STATES
    ).select_related("unit")
    return {a.case_id: a.unit for a in rows}


def _follow(moves: list[_Move]) -> None:
    """Units' deadlines that were the case's follow it; a date someone chose stays."""
    before = {m.case.pk: m for m in moves}
    rows = list(
        CaseAssignment.objects.filter(case_id__in=before, state__in=ACTIVE_ASSIGNMENT_STATES)
    )
    changed = []
    for a in rows:
        move = before[a.case_id]
        if a.deadline is not None and a.deadline == move.before:
            a.deadline = move.case.deadline
            changed.append(a)
    CaseAssignment.objects.bulk_update(changed, ["deadline"], batch_size=BATCH)


def _entry(move: _Move, now: datetime) -> tuple:
    case = move.case
    data = {
        "from": move.before.isoformat() if move.before else None,
        "deadline": case.deadline.isoformat() if case.deadline else None,
        "stage": case.stage,
        "provisional_year": case.provisional_year,
    }
    return (case.pk, ClockEvent.RECOUNTED, case.state, case.state, SYSTEM_LABEL, now, "", data)


def _forget_closed(years: list[int]) -> None:
    """A closed case's provisional mark is history: its clock no longer runs."""
    Case.objects.filter(provisional_year__in=years).exclude(state__in=OPEN_STATES).update(
        provisional_year=None
    )
