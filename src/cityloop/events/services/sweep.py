"""The deadline sweep: turn clocks to warning and overdue, record it, tell people, escalate.

Rules it carries (docs/deadlines.md):

- First, deadlines counted provisionally in a year that has since got its official holiday
  arrangement are counted again on it (``calendar_updates.py``).
- A running clock (open case, not suspended) turns to **warning** once ``warn_at`` has passed
  (``CITYLOOP_WARNING_SHARE`` of the stage's limit used, 80 % by default) and to **overdue**
  once ``deadline`` has passed. Each turn is written once, as a history entry by the system
  (``clock_warning`` / ``clock_overdue``).
- Whoever owes the running stage is told: the lead unit's handlers while it is handled, the
  field inspectors while it waits for confirmation or a check, the centre's acceptors, shift
  leaders or dispatchers for their stages. An overdue case also goes to the district's
  dispatchers and shift leaders, one notice per case; when one sweep turns more than
  ``CITYLOOP_SWEEP_DIGEST_OVER`` (20) cases overdue (after an outage, or on the first run)
  they get one digest instead, so that the centre is not flooded.
- Escalation up the tiers (升级): an overdue case whose lead unit is a social entity (past its
  short correction limit) or a community passes to the unit above through the ``escalate``
  action, which starts a fresh handling clock there. A street's or a department's overdue case
  is only reported, not moved.

Concurrency: the clock turns are the kernel's set-based ``UPDATE … WHERE clock_state …
RETURNING …`` statements, one per kind of turn (``core.workflow.sweep``; SQLite ≥ 3.35 and
PostgreSQL both have ``RETURNING``). A row turns only while it still has the old clock state,
so when several sweeps run at once each row is turned by exactly one of them and only that
sweep's ``RETURNING`` names it: on PostgreSQL the second ``UPDATE`` waits for the first's row
lock and then re-checks its ``WHERE`` against the committed row (which no longer matches); on
SQLite writers are serialised (``BEGIN IMMEDIATE``), so the second sees the committed turn.
The turns, their history entries and their notifications are one transaction, so either all
of a sweep's work is there or none.
Escalations follow, one transaction each, only for the cases this sweep turned; one that is
refused (the case moved on meanwhile) or fails is logged and does not stop the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.core.bulk import bulk_append
from cityloop.core.i18n import both, lazy_format
from cityloop.core.progress import Progress
from cityloop.core.workflow.sweep import ClockFields, turn_clocks
from cityloop.events.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    LEAD_ROLES,
    OPEN_STATES,
    CaseState,
    ClockEvent,
    ClockState,
    Stage,
)
from cityloop.events.models import EVENT_FIELDS, SYSTEM_LABEL, Case, CaseAssignment, CaseEvent
from cityloop.events.selectors.recipients import centre_staff_by_role, staff_by_unit
from cityloop.events.services.calendar_updates import deadlines_recount
from cityloop.events.services.deadlines import CLOCK_STATES
from cityloop.events.services.refusals import ActionRefused
from cityloop.events.services.transitions import system_act
from cityloop.events.workflow import WORKING, Action
from cityloop.notifications.services import Notice, notify_many
from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import User

log = logging.getLogger(__name__)

CHUNK = 2000  # cases per look-up query (an IN list well under SQLite's 32,766 parameters)
RUNNING_STATES = sorted(OPEN_STATES - {CaseState.SUSPENDED})
RETURNED = ("id", "ticket", "state", "stage", "deadline", "community_id", "street_id")
# Where a case keeps its clock, for the kernel's sweep: it runs only while not suspended.
CASE_CLOCK = ClockFields(suspended_at="suspended_at", touched=("updated_at",))
ESCALATE_FROM = frozenset({UnitKind.SOCIAL_ENTITY, UnitKind.COMMUNITY})
# Who owes each stage's clock at the centre (the handling stage is owed by the lead unit).
STAGE_OWNER = {
    Stage.ACCEPT: Role.ACCEPTOR,
    Stage.CONFIRM: Role.INSPECTOR,
    Stage.FILE: Role.SHIFT_LEADER,
    Stage.DISPATCH: Role.DISPATCHER,
    Stage.VERIFY: Role.INSPECTOR,
    Stage.CLOSE: Role.SHIFT_LEADER,
}
FIELD_STAGES = frozenset({Stage.CONFIRM, Stage.VERIFY})
OVERDUE_ALSO = (Role.DISPATCHER, Role.SHIFT_LEADER)
MESSAGES = {
    ClockState.WARNING: _("Case %(ticket)s will be overdue at %(deadline)s."),
    ClockState.OVERDUE: _("Case %(ticket)s is overdue: its deadline was %(deadline)s."),
}
DIGEST_MESSAGE = _("%(count)s cases became overdue, among them %(tickets)s.")
DIGEST_KIND = "clock_overdue_digest"
DIGEST_OVER = 20
DIGEST_TICKETS = 5
EVENT_ACTION = {ClockState.WARNING: ClockEvent.WARNING, ClockState.OVERDUE: ClockEvent.OVERDUE}


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did."""

    warned: int = 0
    overdue: int = 0
    escalated: int = 0
    not_escalated: int = 0  # refused or failed; each one is logged
    notifications: int = 0
    recounted: int = 0  # provisional deadlines moved by their year's official arrangement
    seconds: float = 0.0
    others: dict = field(default_factory=dict)  # other modules' clocks (events.hooks.sweeps)

    def line(self) -> str:
        recounted = f"{self.recounted:,} recounted, " if self.recounted else ""
        others = "".join(
            f"; {name}: {turned.get('warning', 0):,} warned, {turned.get('overdue', 0):,} overdue"
            for name, turned in self.others.items()
        )
        return (
            f"deadline sweep: {recounted}{self.warned:,} warned, {self.overdue:,} overdue, "
            f"{self.escalated:,} escalated ({self.not_escalated:,} not), "
            f"{self.notifications:,} notifications in {self.seconds:.2f} s{others}"
        )

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Turned:
    """One case whose clock this sweep turned, with what telling and escalating need."""

    case_id: int
    ticket: str
    state: str
    stage: str
    deadline: datetime | None
    community_id: int | None
    street_id: int | None
    clock: str
    lead_unit_id: int | None = None
    lead_kind: str = ""

    @property
    def escalates(self) -> bool:
        """Overdue while handled by a social entity or a community: the tier above takes it."""
        return (
            self.clock == ClockState.OVERDUE
            and self.stage == Stage.HANDLE
            and self.state in WORKING
            and self.lead_kind in ESCALATE_FROM
        )


def deadline_sweep(*, now: datetime | None = None, progress: Progress | None = None) -> SweepReport:
    """Turn due clocks to warning or overdue, write their history, notify, then escalate
    (rules and concurrency: the module's docstring). Safe to run in several workers at once."""
    now = now or timezone.now()
    started = time.monotonic()
    recounted = deadlines_recount(now=now, progress=progress)
    with transaction.atomic():
        overdue = _turn(ClockState.OVERDUE, now)
        warned = _turn(ClockState.WARNING, now)
        _say(progress, f"{len(warned):,} clocks turned to warning, {len(overdue):,} to overdue")
        turned = overdue + warned
        _record(turned, now)
        sent = notify_many(notices=_notices(turned), now=now)
        _say(progress, f"history written, {sent:,} notifications")
    due = [f for f in turned if f.escalates]
    due += _escalation_backlog(now, exclude={f.case_id for f in due})
    escalated, refused = _escalate(due, now, progress)
    from cityloop.events import hooks

    others = {name: sweep(now) for name, sweep in hooks.sweeps.items()}
    return SweepReport(
        warned=len(warned),
        overdue=len(overdue),
        escalated=escalated,
        not_escalated=refused,
        notifications=sent,
        recounted=recounted.moved,
        seconds=time.monotonic() - started,
        others=others,
    )


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress.stage(message)


# --- the turns ----------------------------------------------------------------------------
def _turn(clock: str, now: datetime) -> list[Turned]:
    """The kernel's set-based turn (``core.workflow.sweep``); returns the rows this sweep turned
    (and no others), by id, with their lead units."""
    rows = turn_clocks(
        Case,
        fields=CASE_CLOCK,
        states=CLOCK_STATES,
        to=clock,
        now=now,
        only={"state": RUNNING_STATES},
        returning=RETURNED,
    )
    turned: list[Turned] = []
    for chunk in _chunks(rows):
        leads = _leads([row.pk for row in chunk])
        turned.extend(_turned(row.values, clock, leads.get(row.pk, (None, ""))) for row in chunk)
    return turned


def _turned(row: tuple, clock: str, lead: tuple[int | None, str]) -> Turned:
    case_id, ticket, state, stage, deadline, community_id, street_id = row
    return Turned(case_id, ticket, state, stage, deadline, community_id, street_id, clock, *lead)


def _chunks(items: list) -> Iterable[list]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _leads(case_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The active lead (or sole) unit of each case, with its kind."""
    rows = CaseAssignment.objects.filter(
        case_id__in=case_ids, role__in=LEAD_ROLES, state__in=ACTIVE_ASSIGNMENT_STATES
    ).values_list("case_id", "unit_id", "unit__kind")
    return {case_id: (unit_id, kind) for case_id, unit_id, kind in rows}


def _record(turned: list[Turned], now: datetime) -> None:
    """One history entry per turned clock, by the system, appended in bulk."""
    bulk_append(
        model=CaseEvent,
        fields=EVENT_FIELDS,
        rows=(
            (f.case_id, EVENT_ACTION[f.clock], f.state, f.state, SYSTEM_LABEL, now, "", _data(f))
            for f in turned
        ),
    )


def _data(turn: Turned) -> dict:
    return {"deadline": turn.deadline.isoformat() if turn.deadline else None, "stage": turn.stage}


# --- who is told --------------------------------------------------------------------------
class _Directory:
    """The staff a batch of turned clocks concerns, looked up in three queries."""

    def __init__(self, turned: list[Turned]) -> None:
        units = {f.lead_unit_id for f in turned if f.stage == Stage.HANDLE}
        places = {
            u for f in turned if f.stage in FIELD_STAGES for u in (f.community_id, f.street_id)
        }
        self.local = staff_by_unit((units | places) - {None}, Role.HANDLER, Role.INSPECTOR)
        self.centre = centre_staff_by_role(*set(STAGE_OWNER.values()), *OVERDUE_ALSO)

    def owners(self, turn: Turned) -> list[User]:
        """Who owes the running stage."""
        if turn.stage == Stage.HANDLE:
            if turn.lead_unit_id is None:
                return self.centre[Role.DISPATCHER]
            return self.local[(turn.lead_unit_id, Role.HANDLER)]
        if turn.stage in FIELD_STAGES:
            local = [
                u for unit in (turn.community_id, turn.street_id)
                for u in self.local.get((unit, Role.INSPECTOR), [])
            ]  # fmt: skip
            return local or self.centre[Role.INSPECTOR]
        return self.centre[STAGE_OWNER.get(turn.stage, Role.DISPATCHER)]

    def concerned(self, turn: Turned, *, centre: bool) -> list[User]:
        """The owners, and for an overdue clock the centre too (unless it gets a digest)."""
        users = list(self.owners(turn))
        if centre and turn.clock == ClockState.OVERDUE:
            users += self.overseers()
        return users

    def overseers(self) -> list[User]:
        return [u for role in OVERDUE_ALSO for u in self.centre[role]]


def digest_over() -> int:
    """Above this many overdue turns in one sweep the centre gets one digest instead."""
    return int(getattr(settings, "CITYLOOP_SWEEP_DIGEST_OVER", DIGEST_OVER))


def _notices(turned: list[Turned]) -> list[Notice]:
    """One notice per turned clock (rendered once per language, filled in per case); the
    centre's share of a burst of overdue clocks comes as one digest."""
    if not turned:
        return []
    directory = _Directory(turned)
    templates = {clock: both(message) for clock, message in MESSAGES.items()}
    overdue = [f for f in turned if f.clock == ClockState.OVERDUE]
    digest = len(overdue) > digest_over()
    notices = [
        Notice(
            users=directory.concerned(f, centre=not digest),
            kind=EVENT_ACTION[f.clock],
            text=_fill(templates[f.clock], f),
            case_id=f.case_id,
        )
        for f in turned
    ]
    if digest:
        notices.append(_digest(overdue, directory.overseers()))
    return notices


def _digest(overdue: list[Turned], users: list[User]) -> Notice:
    tickets = " ".join(f.ticket for f in overdue[:DIGEST_TICKETS])
    if len(overdue) > DIGEST_TICKETS:
        tickets += " …"
    message = lazy_format(DIGEST_MESSAGE, {"count": len(overdue), "tickets": tickets})
    return Notice(users=users, kind=DIGEST_KIND, text=both(message))


def _fill(template: dict[str, str], turn: Turned) -> dict[str, str]:
    deadline = timezone.localtime(turn.deadline).strftime("%Y-%m-%d %H:%M") if turn.deadline else ""
    params = {"ticket": turn.ticket, "deadline": deadline}
    return {language: text % params for language, text in template.items()}


# --- escalation ---------------------------------------------------------------------------
def _escalation_backlog(now: datetime, exclude: set[int]) -> list[Turned]:
    """Cases an earlier sweep turned overdue but could not escalate (a failure, a crash
    between the turn and the escalation): still overdue with a social entity or a community.
    Retried on every sweep until they move, so that no escalation is lost."""
    rows = list(
        Case.objects.filter(
            clock_state=ClockState.OVERDUE,
            stage=Stage.HANDLE,
            state__in=WORKING,
            suspended_at__isnull=True,
            assignments__role__in=LEAD_ROLES,
            assignments__state__in=ACTIVE_ASSIGNMENT_STATES,
            assignments__unit__kind__in=ESCALATE_FROM,
        )
        .exclude(pk__in=exclude)
        .values_list("pk", "ticket", "state", "stage", "deadline", "community_id", "street_id")
        .distinct()[:1000]
    )
    leads = _leads([r[0] for r in rows])
    return [
        Turned(
            *row,
            clock=ClockState.OVERDUE,
            lead_unit_id=leads[row[0]][0],
            lead_kind=leads[row[0]][1],
        )
        for row in rows
        if row[0] in leads
    ]


def _escalate(turned: list[Turned], now: datetime, progress: Progress | None) -> tuple[int, int]:
    escalated = refused = 0
    for n, turn in enumerate(turned, start=1):
        if _escalate_one(turn, now):
            escalated += 1
        else:
            refused += 1
        if progress is not None:
            progress.step("escalate", n, len(turned), force=n == len(turned))
    return escalated, refused


def _escalate_one(turn: Turned, now: datetime) -> bool:
    """Escalate one case in its own transaction, if it is still overdue with the same lead
    unit; a refusal or a failure is logged and reported as not escalated."""
    try:
        with transaction.atomic():
            if not _still_overdue_with(turn):
                log.info("case %s not escalated: it moved on since the sweep", turn.ticket)
                return False
            system_act(case=turn.case_id, action=Action.ESCALATE, now=now)
        return True
    except ActionRefused as exc:
        log.warning("case %s not escalated: %s", turn.ticket, exc)
    except Exception:
        log.exception("case %s: escalation failed", turn.ticket)
    return False


def _still_overdue_with(turn: Turned) -> bool:
    locked = Case.objects.select_for_update().filter(
        pk=turn.case_id, clock_state=ClockState.OVERDUE
    )
    if not list(locked.values_list("pk", flat=True)):
        return False
    return _leads([turn.case_id]).get(turn.case_id, (None, ""))[0] == turn.lead_unit_id


# --- the same rules for callers that move cases in memory (the demo year) ----------------
def clock_entry_data(*, deadline: datetime | None, stage: str) -> dict:
    """What a clock turn's history entry records (``_data``), for a caller that writes the
    sweep's entries itself; ``deadline`` as the database gives it back (UTC)."""
    return _data(Turned(0, "", "", stage, deadline, None, None, ""))


def escalates(*, state: str, stage: str, lead_kind: str) -> bool:
    """Whether the sweep escalates a case that is overdue in ``state`` and ``stage`` with a
    lead unit of ``lead_kind`` (``Turned.escalates``)."""
    turned = Turned(0, "", state, stage, None, None, None, ClockState.OVERDUE, lead_kind=lead_kind)
    return turned.escalates
