"""The deadline sweep: turn clocks to warning and overdue, record it, tell people, escalate.

Rules it carries (docs/deadlines.md):

- A running clock (open case, not suspended) turns to **warning** once ``warn_at`` has passed
  (``CITYLOOP_WARNING_SHARE`` of the stage's limit used, 80 % by default) and to **overdue**
  once ``deadline`` has passed. Each turn is written once, as a history entry by the system
  (``clock_warning`` / ``clock_overdue``).
- Whoever owes the running stage is told: the lead unit's handlers while it is handled, the
  field inspectors while it waits for confirmation or a check, the centre's acceptors, shift
  leaders or dispatchers for their stages. An overdue case also goes to the district's
  dispatchers and shift leaders.
- Escalation up the tiers (升级): an overdue case whose lead unit is a social entity (past its
  short correction limit) or a community passes to the unit above through the ``escalate``
  action, which starts a fresh handling clock there. A street's or a department's overdue case
  is only reported, not moved.

Concurrency: the clock turns are two set-based ``UPDATE … WHERE clock_state … RETURNING id``
statements (SQLite ≥ 3.35 and PostgreSQL both have ``RETURNING``). A row turns only while it
still has the old clock state, so when several sweeps run at once each row is turned by
exactly one of them and only that sweep's ``RETURNING`` names it: on PostgreSQL the second
``UPDATE`` waits for the first's row lock and then re-checks its ``WHERE`` against the
committed row (which no longer matches); on SQLite writers are serialised (``BEGIN
IMMEDIATE``), so the second sees the committed turn. The turns, their history entries and
their notifications are one transaction, so either all of a sweep's work is there or none.
Escalations follow, one transaction each, only for the cases this sweep turned; one that is
refused (the case moved on meanwhile) or fails is logged and does not stop the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import both
from cityloop.core.progress import Progress
from cityloop.events.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_STATES,
    AssignmentRole,
    CaseState,
    ClockEvent,
    ClockState,
    Stage,
)
from cityloop.events.models import Case, CaseAssignment, CaseEvent
from cityloop.events.services.recipients import centre_staff_by_role, staff_by_unit
from cityloop.events.services.refusals import ActionRefused
from cityloop.events.services.transitions import system_act
from cityloop.events.workflow import WORKING, Action
from cityloop.notifications.services import Notice, notify_many
from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import User

log = logging.getLogger(__name__)

CHUNK = 2000  # cases per look-up query (keeps every IN list well under SQLite's limit)
SYSTEM_LABEL = "系统"
RUNNING_STATES = sorted(OPEN_STATES - {CaseState.SUSPENDED})
LEAD_ROLES = (AssignmentRole.SINGLE, AssignmentRole.LEAD)
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
EVENT_ACTION = {ClockState.WARNING: ClockEvent.WARNING, ClockState.OVERDUE: ClockEvent.OVERDUE}


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did."""

    warned: int = 0
    overdue: int = 0
    escalated: int = 0
    not_escalated: int = 0  # refused or failed; each one is logged
    notifications: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"deadline sweep: {self.warned:,} warned, {self.overdue:,} overdue, "
            f"{self.escalated:,} escalated ({self.not_escalated:,} not), "
            f"{self.notifications:,} notifications in {self.seconds:.2f} s"
        )

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Flip:
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
    with transaction.atomic():
        overdue = _turn(ClockState.OVERDUE, now)
        warned = _turn(ClockState.WARNING, now)
        _say(progress, f"{len(warned):,} clocks turned to warning, {len(overdue):,} to overdue")
        flips = _load(overdue, ClockState.OVERDUE) + _load(warned, ClockState.WARNING)
        _record(flips, now)
        sent = notify_many(notices=_notices(flips), now=now)
        _say(progress, f"history written, {sent:,} notifications")
    escalated, refused = _escalate([f for f in flips if f.escalates], now, progress)
    return SweepReport(
        warned=len(warned),
        overdue=len(overdue),
        escalated=escalated,
        not_escalated=refused,
        notifications=sent,
        seconds=time.monotonic() - started,
    )


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress.stage(message)


# --- the turns ----------------------------------------------------------------------------
def _turn(clock: str, now: datetime) -> list[int]:
    """One set-based UPDATE; returns the ids of the rows this statement turned."""
    at = connection.ops.adapt_datetimefield_value(now)
    if clock == ClockState.OVERDUE:
        where, params = (
            "clock_state IN (%s, %s) AND deadline <= %s",
            [
                ClockState.ON_TIME,
                ClockState.WARNING,
                at,
            ],
        )
    else:
        where = "clock_state = %s AND warn_at <= %s AND deadline > %s"
        params = [ClockState.ON_TIME, at, at]
    states = ", ".join(["%s"] * len(RUNNING_STATES))
    sql = (
        f"UPDATE {connection.ops.quote_name(Case._meta.db_table)} "  # noqa: S608 (no user input: table name and placeholders)
        f"SET clock_state = %s, updated_at = %s "
        f"WHERE {where} AND suspended_at IS NULL AND state IN ({states}) RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [clock, at, *params, *RUNNING_STATES])
        return [row[0] for row in cursor.fetchall()]


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _load(ids: list[int], clock: str) -> list[Flip]:
    flips: list[Flip] = []
    fields = ("pk", "ticket", "state", "stage", "deadline", "community_id", "street_id")
    for chunk in _chunks(sorted(ids)):
        leads = _leads(chunk)
        rows = Case.objects.filter(pk__in=chunk).order_by("pk").values_list(*fields)
        flips.extend(Flip(*row, clock, *leads.get(row[0], (None, ""))) for row in rows)
    return flips


def _leads(case_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The active lead (or sole) unit of each case, with its kind."""
    rows = CaseAssignment.objects.filter(
        case_id__in=case_ids, role__in=LEAD_ROLES, state__in=ACTIVE_ASSIGNMENT_STATES
    ).values_list("case_id", "unit_id", "unit__kind")
    return {case_id: (unit_id, kind) for case_id, unit_id, kind in rows}


def _record(flips: list[Flip], now: datetime) -> None:
    CaseEvent.objects.bulk_create(
        (
            CaseEvent(
                case_id=f.case_id,
                action=EVENT_ACTION[f.clock],
                from_state=f.state,
                to_state=f.state,
                actor_label=SYSTEM_LABEL,
                at=now,
                data={"deadline": f.deadline.isoformat() if f.deadline else None, "stage": f.stage},
            )
            for f in flips
        ),
        batch_size=CHUNK,
    )


# --- who is told --------------------------------------------------------------------------
class _Directory:
    """The staff a batch of turned clocks concerns, looked up in three queries."""

    def __init__(self, flips: list[Flip]) -> None:
        units = {f.lead_unit_id for f in flips if f.stage == Stage.HANDLE}
        places = {
            u for f in flips if f.stage in FIELD_STAGES for u in (f.community_id, f.street_id)
        }
        self.local = staff_by_unit((units | places) - {None}, Role.HANDLER, Role.INSPECTOR)
        self.centre = centre_staff_by_role(*set(STAGE_OWNER.values()), *OVERDUE_ALSO)

    def owners(self, flip: Flip) -> list[User]:
        """Who owes the running stage."""
        if flip.stage == Stage.HANDLE:
            if flip.lead_unit_id is None:
                return self.centre[Role.DISPATCHER]
            return self.local[(flip.lead_unit_id, Role.HANDLER)]
        if flip.stage in FIELD_STAGES:
            local = [
                u for unit in (flip.community_id, flip.street_id)
                for u in self.local.get((unit, Role.INSPECTOR), [])
            ]  # fmt: skip
            return local or self.centre[Role.INSPECTOR]
        return self.centre[STAGE_OWNER.get(flip.stage, Role.DISPATCHER)]

    def concerned(self, flip: Flip) -> list[User]:
        users = list(self.owners(flip))
        if flip.clock == ClockState.OVERDUE:
            users += [u for role in OVERDUE_ALSO for u in self.centre[role]]
        return users


def _notices(flips: list[Flip]) -> list[Notice]:
    """One notice per turned clock, rendered once per language and filled in per case."""
    if not flips:
        return []
    directory = _Directory(flips)
    templates = {clock: both(message) for clock, message in MESSAGES.items()}
    return [
        Notice(
            users=directory.concerned(f),
            kind=EVENT_ACTION[f.clock],
            text=_fill(templates[f.clock], f),
            case_id=f.case_id,
        )
        for f in flips
    ]


def _fill(template: dict[str, str], flip: Flip) -> dict[str, str]:
    deadline = timezone.localtime(flip.deadline).strftime("%Y-%m-%d %H:%M") if flip.deadline else ""
    params = {"ticket": flip.ticket, "deadline": deadline}
    return {language: text % params for language, text in template.items()}


# --- escalation ---------------------------------------------------------------------------
def _escalate(flips: list[Flip], now: datetime, progress: Progress | None) -> tuple[int, int]:
    escalated = refused = 0
    for n, flip in enumerate(flips, start=1):
        if _escalate_one(flip, now):
            escalated += 1
        else:
            refused += 1
        if progress is not None:
            progress.step("escalate", n, len(flips), force=n == len(flips))
    return escalated, refused


def _escalate_one(flip: Flip, now: datetime) -> bool:
    """Escalate one case in its own transaction, if it is still overdue with the same lead
    unit; a refusal or a failure is logged and reported as not escalated."""
    try:
        with transaction.atomic():
            if not _still_overdue_with(flip):
                log.info("case %s not escalated: it moved on since the sweep", flip.ticket)
                return False
            system_act(case=flip.case_id, action=Action.ESCALATE, now=now)
        return True
    except ActionRefused as exc:
        log.warning("case %s not escalated: %s", flip.ticket, exc)
    except Exception:
        log.exception("case %s: escalation failed", flip.ticket)
    return False


def _still_overdue_with(flip: Flip) -> bool:
    locked = Case.objects.select_for_update().filter(
        pk=flip.case_id, clock_state=ClockState.OVERDUE
    )
    if not list(locked.values_list("pk", flat=True)):
        return False
    return _leads([flip.case_id]).get(flip.case_id, (None, ""))[0] == flip.lead_unit_id
