"""One case's life in memory, without a query per step, moved by the live path's own rules:

- what each action does to the case's fields and tasks, and what its history entry records:
  ``cityloop.events.rules``, the functions the handlers call;
- where the case goes: the transition table and the kernel's reading of it
  (``Workflow.next_state``);
- the clocks: an extension, a suspension and a resumption are ``services.deadlines``' own
  ``clock_extend``, ``clock_stop`` and ``clock_resume`` run on this object (it has the case's
  clock fields), and so is ``clock_count`` when a waiting stage's clock is counted. Starting
  a stage's clock is done here, from the world's cached limits (``deadlines.clock_start``
  reads the limit from the database on every call), and only counted when the case can still
  be there when it comes due; the equivalence test (demo/tests/test_same_rules.py) holds it
  to ``clock_start`` and ``clock_cap_for_entity``, and the sweep's turns to the sweep's.

What stays here is what generating needs: the gate (an action after "now" stops the story),
the lazy clocks, the in-memory tasks and requests. The generator writes the result in bulk.

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
from cityloop.events import rules
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
from cityloop.events.services import deadlines
from cityloop.events.services.sweep import RUNNING_STATES, clock_entry_data, escalates
from cityloop.events.services.transitions import CASES
from cityloop.events.workflow import TRANSITIONS, Action
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit
from cityloop.worktime.choices import ClockKind
from cityloop.worktime.clock import add_working_time
from cityloop.worktime.errors import CalendarUnavailable
from cityloop.worktime.selectors import first_provisional_year

RUNNING = frozenset(RUNNING_STATES)  # the states whose clock the sweep turns
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

    @property
    def unit_id(self) -> int:
        return self.unit.pk


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
    """A case and its history, moved by the actions below (one per handler). Its attributes
    that a ``Case`` also has carry the same names, so that the live path's rules and clock
    functions take it as they take a case."""

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
        self.filing_condition = None
        self.stage = Stage.NONE
        self.stage_started_at: datetime | None = None
        self.deadline: Any = None
        self.warn_at: Any = None
        self.clock_state = ClockState.ON_TIME
        self.suspended_at: datetime | None = None
        self.handle_deadline: datetime | None = None
        # deadlines.clock_count: where the running count began, what it gave, on which clock
        self.clock_anchor_at: datetime | None = None
        self.clock_limit: timedelta | None = None
        self.warn_limit: timedelta | None = None
        self.clock_kind = ""
        self.provisional_year: Any = None  # LAZY: this machine's count, computed at the end
        self.limit = None  # the running handling limit and its effective length
        self.effective = timedelta(0)
        self.warn_floor = plan.reported_at
        self.version = 1
        self.rework_count = self.urge_count = self.extension_count = self.return_count = 0
        self.confirmed_at: datetime | None = None
        self.accepted_at: datetime | None = None
        self.filed_at: datetime | None = None
        self.dispatched_at: datetime | None = None
        self.fed_back_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.closed_on_time: bool | None = None
        self.satisfaction: int | None = None
        self.evaluation_comment = ""
        self.merged_into = ""
        self.events: list[Entry] = []
        self.assignments: list[Assignment] = []
        self.requests: list[Request] = []
        self._report()

    @property
    def urgency(self) -> str:
        return self.p.urgency

    @property
    def area_class(self) -> str:
        return self.p.spot.area_class

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
        return lead is not None and escalates(
            state=self.state, stage=self.stage, lead_kind=lead.unit.kind
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
        limit = self.w.handle_limit(self.filing_condition, self.area_class, self.urgency)
        self.limit, self.effective = limit, limit.duration
        cap = self.w.entity_cap
        if unit is not None and unit.kind == UnitKind.SOCIAL_ENTITY and cap < limit.duration:
            self.effective = cap  # the capped deadline is earlier: the same as computing both
        self.deadline = self.add_time(at, self.effective, unit, limit.clock)
        self._count(at, self.effective, self.effective * self.w.warning_share, limit.clock)
        rules.task_deadlines(self.assignments, self.deadline)
        if self.handle_deadline is None:
            # clock_start: the first handling deadline is the case's promise (按期结案); a
            # rework or an escalation restarts the unit's clock only, a return clears it.
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
            warn = limit.duration * self.w.warning_share
            self.clock_kind = limit.clock
            deadlines.clock_count(
                case=self,
                anchor=self.stage_started_at,
                limit=limit.duration,
                warn=warn,
                clock=limit.clock,
            )

    def _count(self, anchor, limit, warn, clock: str) -> None:
        self.clock_anchor_at, self.clock_limit, self.warn_limit = anchor, limit, warn
        self.clock_kind = clock
        self.provisional_year = LAZY if anchor is not None else None

    def _provisional_year(self) -> int | None:
        """deadlines.clock_count: the first provisional year a working-time count ran into."""
        if self.clock_limit is None or self.deadline in (None, LAZY):
            return None
        if self.clock_kind != ClockKind.WORKING:
            return None
        return first_provisional_year(self.clock_anchor_at, self.deadline)

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
        data = clock_entry_data(deadline=self.deadline.astimezone(UTC), stage=self.stage)
        system = Actor(None, None, SYSTEM_LABEL)
        self.events.append(Entry(action, self.state, self.state, system, at, "", data))

    def finish(self) -> None:
        """The state at "now": the sweep has run up to it, every open clock is computed."""
        self.sweep(self.now, inclusive=True)
        if LAZY in (self.deadline, self.warn_at):
            try:
                self.resolve()
            except CalendarUnavailable:  # the deadline lies in a year without a calendar
                self.deadline = self.warn_at = None
        if self.provisional_year is LAZY:
            self.provisional_year = self._provisional_year()

    # --- applying a transition (transitions._apply) ---------------------------------------
    def _apply(self, action: str, at: datetime, actor: Actor, comment: str = "", data=None):
        t = TRANSITIONS[action]
        before = self.state
        if not t.allows_state(before):  # a bug in the story, never a demo case
            raise AssertionError(f"{self.p.ticket}: {action} from {before}")
        self.state = CASES.next_state(self, t)
        if rules.ends_tasks(before, self.state):
            self._end_assignments(at)
        if t.stage is not None:
            self._start(t.stage, at)
        self.version += 1
        self.events.append(Entry(action, before, self.state, actor, at, comment, data or {}))

    def _end_assignments(self, at: datetime) -> None:
        """transitions._on_move: a case leaving the open states ends its tasks (in SQL
        there, in a loop here)."""
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
        rules.accepted(self, at)
        self._apply(Action.ACCEPT, at, actor)
        if confirm:  # the system's follow-up, in the same transaction
            self._apply(Action.REQUEST_CONFIRMATION, at, Actor(None, None, SYSTEM_LABEL))

    def reject(self, at: datetime, actor: Actor, reason: str, comment: str) -> None:
        self._begin(at)
        self._apply(Action.REJECT, at, actor, comment, {"reason": reason})

    def confirm(self, at: datetime, actor: Actor, comment: str = "") -> None:
        self._begin(at)
        rules.confirmed(self, at)
        self._apply(Action.CONFIRM, at, actor, comment)

    def refute(self, at: datetime, actor: Actor, comment: str) -> None:
        self._begin(at)
        self._apply(Action.REFUTE, at, actor, comment, {"reason": "not_found_on_site"})

    def file(self, at: datetime, actor: Actor, condition) -> None:
        self._begin(at)
        data = rules.filed(self, condition, at)
        self._apply(Action.FILE, at, actor, "", data)

    def merge(self, at: datetime, actor: Actor, into: str) -> None:
        self._begin(at)
        self.merged_into = into
        self._apply(Action.MERGE, at, actor, "", {"into": into})

    # --- dispatch and the units' work -----------------------------------------------------
    def dispatch(self, at, actor, unit, reason, *, overridden=False, comment="", assisting=()):
        """on_dispatch: the lead (or sole) unit and any assisting units, each a task."""
        self._begin(at)
        role = rules.dispatch_role(assisting)
        self.assignments.append(Assignment(unit, role, comment if overridden else reason, at))
        for other, deadline in assisting:
            self.assignments.append(
                Assignment(other, AssignmentRole.ASSIST, "", at, deadline=deadline)
            )
        helpers = [other.pk for other, _ in assisting]
        data = rules.dispatched(self, at, unit=unit, overridden=overridden, assisting=helpers)
        self._apply(Action.DISPATCH, at, actor, comment, data)

    def sign(self, at: datetime, actor: Actor) -> None:
        self._begin(at)
        rules.signed(self.lead(), at)
        self._apply(Action.SIGN, at, actor)

    def give_back(self, at: datetime, actor: Actor, comment: str) -> None:
        """on_return (退回): every active task ends; back to the dispatcher."""
        self._begin(at)
        rules.returned(self, self.assignments, at)
        self._apply(Action.RETURN, at, actor, comment)

    def assist_report(self, at: datetime, actor: Actor, task: Assignment, comment: str) -> None:
        self._begin(at)
        data = rules.assist_reported(task, at)
        self._apply(Action.ASSIST_REPORT, at, actor, comment, data)

    def feed_back(self, at: datetime, actor: Actor, comment: str) -> None:
        """on_feed_back: a joint case's assisting units have all reported first."""
        self._begin(at)
        if rules.waiting_assistants(self.assignments):  # a bug in the story, never a demo case
            raise AssertionError(f"{self.p.ticket}: fed back before its assisting units")
        data = rules.fed_back(self, self.lead(), at)
        self._apply(Action.FEED_BACK, at, actor, comment, data)

    def verify(self, at: datetime, actor: Actor) -> None:
        self._begin(at)
        self._apply(Action.VERIFY, at, actor)

    def rework(self, at: datetime, actor: Actor, comment: str) -> None:
        """on_rework: the same unit again, with a fresh handling clock."""
        self._begin(at)
        rules.reworked(self, rules.rework_task(self.assignments, self.lead()))
        self._apply(Action.REWORK, at, actor, comment)

    def close(self, at: datetime, actor: Actor) -> None:
        self._begin(at)
        rules.closed(self, at)
        self._apply(Action.CLOSE, at, actor)

    def evaluate(self, at: datetime, actor: Actor, score: int, comment: str) -> None:
        self._begin(at)
        data = rules.evaluated(self, score, comment)
        self._apply(Action.EVALUATE, at, actor, comment, data)

    def escalate(self, at: datetime) -> None:
        """on_escalate, as the sweep does it: to the tier above, with a fresh clock."""
        self._begin(at, inclusive=True)  # the sweep turned the clock first, at the same time
        lead = self.lead()
        target = self.w.units[lead.unit.parent_id]
        data = rules.escalated(lead, target, at)
        reason = self.w.escalation_reason(lead.unit)
        self.assignments.append(Assignment(target, lead.role, reason, at, task=lead.task))
        self._apply(Action.ESCALATE, at, Actor(None, None, SYSTEM_LABEL), "", data)

    def urge(self, at: datetime, actor: Actor, comment: str) -> None:
        self._begin(at)
        rules.urged(self)
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
        """on_approve_extension: deadlines.clock_extend on this case, as the handler runs it."""
        self._begin(at)
        request = self._decide(at, actor, RequestKind.EXTENSION)
        lead = self.lead()
        wanted = request.requested_deadline
        deadlines.clock_extend(case=self, new_deadline=wanted, now=at, unit=lead and lead.unit)
        # the handler quotes the request's deadline as the database gives it back (UTC)
        data = {"request": request, **rules.extended(self, wanted.astimezone(UTC))}
        self._apply(Action.APPROVE_EXTENSION, at, actor, "", data)

    def request_suspension(self, at: datetime, actor: Actor, comment: str) -> None:
        self._request(at, actor, Action.REQUEST_SUSPENSION, RequestKind.SUSPENSION, comment)

    def approve_suspension(self, at: datetime, actor: Actor) -> None:
        """on_approve_suspension: deadlines.clock_stop on this case."""
        self._begin(at)
        request = self._decide(at, actor, RequestKind.SUSPENSION)
        rules.suspended(self)
        deadlines.clock_stop(case=self, now=at)
        self._apply(Action.APPROVE_SUSPENSION, at, actor, "", {"request": request})

    def resume(self, at: datetime, actor: Actor) -> None:
        """on_resume: deadlines.clock_resume on this case (its lazy clock computed first)."""
        self._begin(at)
        lead = self.lead()
        self.resolve()
        deadlines.clock_resume(case=self, now=at, unit=lead and lead.unit)
        self._apply(Action.RESUME, at, actor, "", rules.resumed(self))

    def request_cancel(self, at: datetime, actor: Actor, comment: str) -> None:
        self._request(at, actor, Action.REQUEST_CANCEL, RequestKind.CANCELLATION, comment)

    def approve_cancel(self, at: datetime, actor: Actor) -> None:
        self._begin(at)
        request = self._decide(at, actor, RequestKind.CANCELLATION)
        rules.cancelled(self.assignments, at)
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
