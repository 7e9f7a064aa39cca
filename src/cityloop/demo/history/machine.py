"""One case's life in memory: the same changes, in the same order, that ``case_act`` and the
handlers make (``cityloop.events.services.transitions`` / ``handlers``), and the entries the
deadline sweep writes (``sweep.py``), without a query. The generator writes the result in bulk.

Every action checks the transition table (``TRANSITIONS``) before it applies, so a demo
history is a valid path by construction; an action planned after "now" stops the case where
it is (``Stop``), which is how the last days' cases stay open in every state.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cityloop.demo.history.world import Actor, Category, World
from cityloop.events.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    LEAD_ROLES,
    OPEN_STATES,
    AssignmentRole,
    AssignmentState,
    CaseState,
    ClockEvent,
    ClockState,
    RequestKind,
    RequestStatus,
    Source,
    Stage,
)
from cityloop.events.models import SYSTEM_LABEL
from cityloop.events.services.sweep import ESCALATE_FROM
from cityloop.events.workflow import PREVIOUS, SAME, TRANSITIONS, Action
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit
from cityloop.worktime.choices import ClockKind
from cityloop.worktime.clock import add_working_time, working_time_between
from cityloop.worktime.errors import CalendarUnavailable
from cityloop.worktime.selectors import first_provisional_year

RUNNING = OPEN_STATES - {CaseState.SUSPENDED}
LAZY = object()  # a stage deadline not computed yet (only needed if the case stays there)


class Stop(Exception):
    """The next step lies after "now" (or the case waits here): it stays as it is."""


@dataclass
class Plan:
    """What the day's builder decided about a case before its story is told."""

    ticket: str
    category: Category
    source: str
    spot: Any  # places.Spot
    reported_at: datetime
    accept_at: datetime
    urgency: str
    description: str
    reporter: Actor | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    external_id: str | None = None
    fate: str = ""  # reject, refute, merge, cancel, return, …
    merge_into: str = ""  # the ticket of the surviving case
    seed: int = 0


@dataclass
class Assignment:
    unit: Unit
    role: str
    routing_reason: str
    dispatched_at: datetime
    state: str = AssignmentState.DISPATCHED
    task: str = ""
    deadline: datetime | None = None
    signed_at: datetime | None = None
    done_at: datetime | None = None


@dataclass
class Request:
    kind: str
    reason: str
    requested_by: int
    requested_at: datetime
    requested_deadline: datetime | None = None
    status: str = RequestStatus.PENDING
    decided_by: int | None = None
    decided_at: datetime | None = None
    pk: int | None = None  # set once written


@dataclass
class Entry:
    """One history entry; ``data`` may hold a Request whose key is known only once written."""

    action: str
    from_state: str
    to_state: str
    actor: Actor
    at: datetime
    comment: str
    data: dict = field(default_factory=dict)


class CaseLife:
    """A case and its history, moved by the actions below (one per handler)."""

    def __init__(
        self, world: World, plan: Plan, now: datetime, *, hold_at: int | None = None
    ) -> None:
        self.w, self.p, self.now = world, plan, now
        self.rng = random.Random(plan.seed)
        self.hold_at = hold_at  # stop at this gate unless the sweep would move the case
        self.stop_at: int | None = None  # stop at this gate, whatever happens
        self.gates = 0
        self.state = CaseState.REPORTED
        self.state_before_suspension = ""
        self.condition = None
        self.stage = Stage.NONE
        self.stage_started_at: datetime | None = None
        self.deadline: Any = None
        self.warn_at: Any = None
        self.clock_state = ClockState.ON_TIME
        self.suspended_at: datetime | None = None
        self.handle_deadline: datetime | None = None
        # deadlines.clock_count: where the running count began, what it gave, on which clock
        self.clock_anchor: datetime | None = None
        self.clock_limit: timedelta | None = None
        self.warn_limit: timedelta | None = None
        self.clock_kind = ""
        self.limit = None  # the running handling limit and its effective length
        self.effective = timedelta(0)
        self.warn_floor = plan.reported_at
        self.version = 1
        self.counts = {"rework": 0, "urge": 0, "extension": 0, "return": 0}
        self.at: dict[str, datetime | None] = dict.fromkeys(
            ("confirmed", "accepted", "filed", "dispatched", "fed_back", "closed")
        )
        self.closed_on_time: bool | None = None
        self.satisfaction: int | None = None
        self.evaluation_comment = ""
        self.merged_into = ""
        self.events: list[Entry] = []
        self.assignments: list[Assignment] = []
        self.requests: list[Request] = []
        self._report()

    # --- the gate, the clock and the sweep -----------------------------------------------
    def gate(self, at: datetime) -> None:
        """Every action passes here first: stop if it lies after now or the case waits."""
        if at < self.events[-1].at:  # a bug in the story, never a demo case
            raise AssertionError(f"{self.p.ticket}: an action at {at} before {self.events[-1].at}")
        if at > self.now or (self.stop_at is not None and self.gates >= self.stop_at):
            raise Stop
        if self.hold_at is not None and self.gates >= self.hold_at and not self.escalating():
            raise Stop
        self.gates += 1

    def escalating(self) -> bool:
        """While a social entity or a community handles, the sweep escalates when overdue."""
        lead = self.lead()
        return (
            self.stage == Stage.HANDLE
            and self.state in (CaseState.DISPATCHED, CaseState.HANDLING)
            and lead is not None
            and lead.unit.kind in ESCALATE_FROM
        )

    def lead(self) -> Assignment | None:
        """permissions.lead_assignment: the first active single or lead assignment."""
        for a in self.assignments:
            if a.role in LEAD_ROLES and a.state in ACTIVE_ASSIGNMENT_STATES:
                return a
        return None

    def add_time(self, start: datetime, duration: timedelta, unit: Unit | None, clock: str):
        return add_working_time(start, duration, unit, clock=clock)

    def _start(self, stage: str, at: datetime) -> None:
        """deadlines.clock_start (+ clock_cap_for_entity for the handling stage)."""
        self.stage, self.stage_started_at = stage, at
        if stage == Stage.NONE:
            self.deadline = self.warn_at = None
            self._count(None, None, None, "")
            self.clock_state = ClockState.STOPPED
            return
        self.clock_state = ClockState.ON_TIME
        if stage != Stage.HANDLE:
            self.deadline = self.warn_at = LAZY
            self._count(None, None, None, "")  # counted when resolved
            return
        lead = self.lead()
        unit = lead.unit if lead else None
        limit = self.w.handle_limit(self.condition, self.p.spot.area_class, self.p.urgency)
        self.limit, self.effective = limit, limit.duration
        cap = self.w.entity_cap
        if unit is not None and unit.kind == UnitKind.SOCIAL_ENTITY and cap < limit.duration:
            self.effective = cap  # the capped deadline is earlier: the same as computing both
        self.deadline = self.add_time(at, self.effective, unit, limit.clock)
        self._count(at, self.effective, self.effective * self.w.warning_share, limit.clock)
        self.handle_deadline = self.deadline
        # The warning moment is computed only when needed; until then it lies after this
        # (working time never runs faster than the wall clock).
        self.warn_at = LAZY
        self.warn_floor = at + self.effective * self.w.warning_share

    def hint_warning_after(self, moment: datetime) -> None:
        """The story knows the warning comes after ``moment`` (a share of the same limit)."""
        self.warn_floor = max(self.warn_floor, moment)

    def resolve(self) -> None:
        """Compute a lazily started stage's deadline and warning (unit None, as clock_start),
        or the handling stage's warning."""
        if self.warn_at is LAZY and self.deadline is not LAZY:
            lead = self.lead()
            unit = lead.unit if lead else None
            duration = self.effective * self.w.warning_share
            self.warn_at = self.add_time(self.stage_started_at, duration, unit, self.limit.clock)
            return
        if self.deadline is LAZY:
            limit = self.w.stage_limit(self.stage, self.p.urgency)
            start = self.stage_started_at
            warn = limit.duration * self.w.warning_share
            self._count(start, limit.duration, warn, limit.clock)
            self.deadline = self.add_time(start, limit.duration, None, limit.clock)
            self.warn_at = self.add_time(
                start, limit.duration * self.w.warning_share, None, limit.clock
            )

    def _count(self, anchor, limit, warn, clock: str) -> None:
        self.clock_anchor, self.clock_limit, self.warn_limit = anchor, limit, warn
        self.clock_kind = clock

    def provisional_year(self) -> int | None:
        """deadlines.clock_count: the first provisional year a working-time count ran into."""
        if self.clock_limit is None or self.deadline in (None, LAZY):
            return None
        if self.clock_kind != ClockKind.WORKING:
            return None
        return first_provisional_year(self.clock_anchor, self.deadline)

    def sweep(self, until: datetime, *, inclusive: bool = False) -> None:
        """The entries the deadline sweep (every minute) writes before ``until``."""
        if (
            self.state not in RUNNING
            or self.suspended_at is not None
            or self.clock_state not in (ClockState.ON_TIME, ClockState.WARNING)
        ):
            return
        if self.deadline is LAZY:
            limit = self.w.stage_limit(self.stage, self.p.urgency)
            used = self.w.working_time_at_most(self.stage_started_at, until, limit.clock)
            if used < limit.duration * self.w.warning_share:
                return  # the warning cannot have come yet
            self.resolve()
        if self.warn_at is LAZY:
            if until < self.warn_floor:
                return  # neither the warning nor the deadline can have come yet
            self.resolve()
        reached = (lambda t: t <= until) if inclusive else (lambda t: t < until)
        due, warn = minute_after(self.deadline), minute_after(self.warn_at)
        if self.clock_state == ClockState.ON_TIME and warn < due and reached(warn):
            self._clock_entry(ClockEvent.WARNING, warn)
            self.clock_state = ClockState.WARNING
        if reached(due):
            self._clock_entry(ClockEvent.OVERDUE, due)
            self.clock_state = ClockState.OVERDUE

    def _clock_entry(self, action: str, at: datetime) -> None:
        data = {"deadline": utc_iso(self.deadline), "stage": self.stage}
        system = Actor(None, None, SYSTEM_LABEL)
        self.events.append(Entry(action, self.state, self.state, system, at, "", data))

    def clock_state_at(self, now: datetime) -> str:
        """deadlines.clock_state_at."""
        if self.deadline is None or self.suspended_at is not None:
            return ClockState.STOPPED
        if now >= self.deadline:
            return ClockState.OVERDUE
        if self.warn_at is not None and now >= self.warn_at:
            return ClockState.WARNING
        return ClockState.ON_TIME

    def finish(self) -> None:
        """The state at "now": the sweep has run up to it, every open clock is computed."""
        self.sweep(self.now, inclusive=True)
        if LAZY in (self.deadline, self.warn_at):
            try:
                self.resolve()
            except CalendarUnavailable:  # the deadline lies in a year without a calendar
                self.deadline = self.warn_at = None

    # --- applying a transition (transitions._apply) ---------------------------------------
    def _apply(self, action: str, at: datetime, actor: Actor, comment: str = "", data=None):
        t = TRANSITIONS[action]
        before = self.state
        if not t.allows_state(before):  # a bug in the story, never a demo case
            raise AssertionError(f"{self.p.ticket}: {action} from {before}")
        if t.target == SAME:
            self.state = before
        elif t.target == PREVIOUS:
            self.state = self.state_before_suspension or CaseState.HANDLING
        else:
            self.state = t.target
        if before in OPEN_STATES and self.state not in OPEN_STATES:
            self._end_assignments(at)
        if t.stage is not None:
            self._start(t.stage, at)
        self.version += 1
        self.events.append(Entry(action, before, self.state, actor, at, comment, data or {}))

    def _end_assignments(self, at: datetime) -> None:
        """transitions._on_move: a case leaving the open states ends its tasks."""
        for a in self.assignments:
            if a.state in ACTIVE_ASSIGNMENT_STATES:
                a.state, a.done_at = AssignmentState.CLOSED, a.done_at or at

    def _begin(self, at: datetime, *, inclusive: bool = False) -> None:
        self.gate(at)
        self.sweep(at, inclusive=inclusive)

    def _report(self) -> None:
        """intake._create: the case is reported and the acceptance clock starts."""
        p = self.p
        actor = p.reporter or Actor(None, None, str(Source(p.source).label))
        self.events.append(
            Entry(
                "report",
                "",
                CaseState.REPORTED,
                actor,
                p.reported_at,
                "",
                {"source": p.source, "external_id": p.external_id},
            )
        )
        self._start(Stage.ACCEPT, p.reported_at)

    # --- intake, confirmation, filing -----------------------------------------------------
    def accept(self, at: datetime, actor: Actor, *, confirm: bool) -> None:
        self._begin(at)
        self.at["accepted"] = at
        self._apply(Action.ACCEPT, at, actor)
        if confirm:  # the system's follow-up, in the same transaction
            self._apply(Action.REQUEST_CONFIRMATION, at, Actor(None, None, SYSTEM_LABEL))

    def reject(self, at: datetime, actor: Actor, reason: str, comment: str) -> None:
        self._begin(at)
        self._apply(Action.REJECT, at, actor, comment, {"reason": reason})

    def confirm(self, at: datetime, actor: Actor, comment: str = "") -> None:
        self._begin(at)
        self.at["confirmed"] = at
        self._apply(Action.CONFIRM, at, actor, comment)

    def refute(self, at: datetime, actor: Actor, comment: str) -> None:
        self._begin(at)
        self._apply(Action.REFUTE, at, actor, comment, {"reason": "not_found_on_site"})

    def file(self, at: datetime, actor: Actor, condition) -> None:
        self._begin(at)
        self.condition = condition
        self.at["filed"] = at
        data = {"filing_condition": condition.pk, "time_limit": condition.time_limit}
        self._apply(Action.FILE, at, actor, "", data)

    def merge(self, at: datetime, actor: Actor, into: str) -> None:
        self._begin(at)
        self.merged_into = into
        self._apply(Action.MERGE, at, actor, "", {"into": into})

    # --- dispatch and the units' work -----------------------------------------------------
    def dispatch(self, at, actor, unit, reason, *, overridden=False, comment="", assisting=()):
        """on_dispatch: the lead (or sole) unit and any assisting units, each a task."""
        self._begin(at)
        role = AssignmentRole.LEAD if assisting else AssignmentRole.SINGLE
        self.assignments.append(Assignment(unit, role, comment if overridden else reason, at))
        for other, deadline in assisting:
            self.assignments.append(
                Assignment(other, AssignmentRole.ASSIST, "", at, deadline=deadline)
            )
        self.at["dispatched"] = at
        data = {
            "unit": unit.pk,
            "unit_name": unit.name,
            "overridden": overridden,
            "assisting": [other.pk for other, _ in assisting],
        }
        self._apply(Action.DISPATCH, at, actor, comment, data)

    def sign(self, at: datetime, actor: Actor) -> None:
        self._begin(at)
        lead = self.lead()
        lead.state, lead.signed_at = AssignmentState.SIGNED, at
        self._apply(Action.SIGN, at, actor)

    def give_back(self, at: datetime, actor: Actor, comment: str) -> None:
        """on_return (退回): every active task ends; back to the dispatcher."""
        self._begin(at)
        for a in self.assignments:
            if a.state in ACTIVE_ASSIGNMENT_STATES:
                a.state = (
                    AssignmentState.RETURNED
                    if a.role != AssignmentRole.ASSIST
                    else AssignmentState.WITHDRAWN
                )
                a.done_at = at
        self.counts["return"] += 1
        self._apply(Action.RETURN, at, actor, comment)

    def assist_report(self, at: datetime, actor: Actor, task: Assignment, comment: str) -> None:
        self._begin(at)
        task.state, task.done_at = AssignmentState.REPORTED, at
        self._apply(Action.ASSIST_REPORT, at, actor, comment, {"unit": task.unit.pk})

    def feed_back(self, at: datetime, actor: Actor, comment: str) -> None:
        """on_feed_back: a joint case's assisting units have all reported first."""
        self._begin(at)
        if any(
            a.role == AssignmentRole.ASSIST and a.state == "dispatched" for a in self.assignments
        ):
            raise AssertionError(f"{self.p.ticket}: fed back before its assisting units")
        lead = self.lead()
        lead.state, lead.done_at = AssignmentState.FED_BACK, at
        self.at["fed_back"] = at
        on_time = self.handle_deadline is None or at <= self.handle_deadline
        self._apply(Action.FEED_BACK, at, actor, comment, {"on_time": on_time})

    def verify(self, at: datetime, actor: Actor) -> None:
        self._begin(at)
        self._apply(Action.VERIFY, at, actor)

    def rework(self, at: datetime, actor: Actor, comment: str) -> None:
        """on_rework: the same unit again, with a fresh handling clock."""
        self._begin(at)
        lead = self.lead() or next(
            a for a in reversed(self.assignments) if a.state == AssignmentState.FED_BACK
        )
        lead.state, lead.done_at = AssignmentState.SIGNED, None
        self.counts["rework"] += 1
        self._apply(Action.REWORK, at, actor, comment)

    def close(self, at: datetime, actor: Actor) -> None:
        self._begin(at)
        self.at["closed"] = at
        deadline = self.handle_deadline
        self.closed_on_time = deadline is None or (self.at["fed_back"] or at) <= deadline
        self._apply(Action.CLOSE, at, actor)

    def evaluate(self, at: datetime, actor: Actor, score: int, comment: str) -> None:
        self._begin(at)
        self.satisfaction, self.evaluation_comment = score, comment
        self._apply(Action.EVALUATE, at, actor, comment, {"satisfaction": score})

    def escalate(self, at: datetime) -> None:
        """on_escalate, as the sweep does it: to the tier above, with a fresh clock."""
        self._begin(at, inclusive=True)  # the sweep turned the clock first, at the same time
        lead = self.lead()
        target = self.w.units[lead.unit.parent_id]
        lead.state, lead.done_at = AssignmentState.ESCALATED, at
        reason = self.w.escalation_reason(lead.unit)
        self.assignments.append(Assignment(target, lead.role, reason, at, task=lead.task))
        data = {"unit": target.pk, "unit_name": target.name, "from_unit": lead.unit.pk}
        self._apply(Action.ESCALATE, at, Actor(None, None, SYSTEM_LABEL), "", data)

    def urge(self, at: datetime, actor: Actor, comment: str) -> None:
        self._begin(at)
        self.counts["urge"] += 1
        self._apply(Action.URGE, at, actor, comment)

    # --- requests and decisions -----------------------------------------------------------
    def _request(self, at, actor, action, kind, comment, wanted=None) -> None:
        self._begin(at)
        request = Request(kind, comment, actor.user_id, at, wanted)
        self.requests.append(request)
        self._apply(action, at, actor, comment, {"request": request})

    def _decide(self, at: datetime, actor: Actor, kind: str) -> Request:
        request = next(r for r in self.requests if r.kind == kind and r.status == "pending")
        request.status = RequestStatus.APPROVED
        request.decided_by, request.decided_at = actor.user_id, at
        return request

    def request_extension(self, at, actor, wanted: datetime, comment: str) -> None:
        self._request(at, actor, Action.REQUEST_EXTENSION, RequestKind.EXTENSION, comment, wanted)

    def approve_extension(self, at: datetime, actor: Actor) -> None:
        """on_approve_extension + deadlines.clock_extend."""
        self._begin(at)
        request = self._decide(at, actor, RequestKind.EXTENSION)
        unit, clock = self.lead().unit, self.limit.clock
        left = working_time_between(at, request.requested_deadline, unit, clock=clock)
        self.deadline = self.handle_deadline = request.requested_deadline
        self.warn_at = self.add_time(at, left * self.w.warning_share, unit, clock)
        self._count(at, None, left * self.w.warning_share, clock)
        self.clock_state = self.clock_state_at(at)
        self.counts["extension"] += 1
        data = {"request": request, "deadline": utc_iso(request.requested_deadline)}
        self._apply(Action.APPROVE_EXTENSION, at, actor, "", data)

    def request_suspension(self, at: datetime, actor: Actor, comment: str) -> None:
        self._request(at, actor, Action.REQUEST_SUSPENSION, RequestKind.SUSPENSION, comment)

    def approve_suspension(self, at: datetime, actor: Actor) -> None:
        """on_approve_suspension + deadlines.clock_stop."""
        self._begin(at)
        request = self._decide(at, actor, RequestKind.SUSPENSION)
        self.state_before_suspension = self.state
        self.suspended_at, self.clock_state = at, ClockState.STOPPED
        self._apply(Action.APPROVE_SUSPENSION, at, actor, "", {"request": request})

    def resume(self, at: datetime, actor: Actor) -> None:
        """on_resume + deadlines.clock_resume: what was left of the limit counts from now."""
        self._begin(at)
        unit = self.lead().unit if self.lead() else None
        clock = self.limit.clock  # suspension only happens while the case is handled
        self.resolve()
        stopped = self.suspended_at or at
        left = {}
        for name in ("deadline", "warn_at"):
            moment = getattr(self, name)
            left[name] = (
                working_time_between(stopped, moment, unit, clock=clock)
                if moment > stopped
                else timedelta(0)
            )
            setattr(self, name, self.add_time(at, left[name], unit, clock))
        self._count(at, left["deadline"], left["warn_at"], clock)
        if self.stage == Stage.HANDLE:
            self.handle_deadline = self.deadline
        self.suspended_at = None
        self.clock_state = self.clock_state_at(at)
        self._apply(Action.RESUME, at, actor, "", {"deadline": self.deadline.isoformat()})

    def request_cancel(self, at: datetime, actor: Actor, comment: str) -> None:
        self._request(at, actor, Action.REQUEST_CANCEL, RequestKind.CANCELLATION, comment)

    def approve_cancel(self, at: datetime, actor: Actor) -> None:
        self._begin(at)
        request = self._decide(at, actor, RequestKind.CANCELLATION)
        for a in self.assignments:
            if a.state in ACTIVE_ASSIGNMENT_STATES:
                a.state, a.done_at = AssignmentState.WITHDRAWN, at
        self._apply(Action.APPROVE_CANCEL, at, actor, "", {"request": request})

    # --- what the case looks like at the end ----------------------------------------------
    @property
    def updated_at(self) -> datetime:
        return self.events[-1].at

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def minute_after(moment: datetime) -> datetime:
    """The first run of the every-minute sweep at or after ``moment``."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


def utc_iso(moment: datetime) -> str:
    """A moment as read back from the database (UTC), which is how handlers quote it."""
    return moment.astimezone(UTC).isoformat()
