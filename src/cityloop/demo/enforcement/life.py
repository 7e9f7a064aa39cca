"""One enforcement case of the demo year in memory: its fields (the model's own, on an unsaved
``EnforcementCase``), its chained history rows, clocks, evidence and payments, as the services
would have written them act by act.

Each act is checked against the transition table (the state it starts from, the actor's role;
the next state is the kernel's ``Workflow.next_state``), its statutory rules are
``enforcement.rules``' pure functions and its clocks ``enforcement.clocks.started`` /
``extended`` (the services' own counting), and its history row is ``HISTORY.row`` with the
details the handler records. The effects mirror ``enforcement.services``' handlers (decision
0046: the demo follows the live rules); ``tests/test_enforcement_demo.py`` tells stories both
ways and compares them. The sweep's turns are written as the every-minute sweep writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cityloop.core.workflow.actors import SystemActor
from cityloop.core.workflow.clocks import Period, state_at
from cityloop.demo.history.machine import minute_after
from cityloop.enforcement import clocks, rules
from cityloop.enforcement.choices import (
    ClockKind,
    ClockState,
    EvidenceKind,
    Outcome,
    PenaltyKind,
    Procedure,
    ServiceMethod,
)
from cityloop.enforcement.history import HISTORY, REGISTER, TURN_ACTION
from cityloop.enforcement.models import (
    CaseClock,
    EnforcementCase,
    EnforcementEvent,
    Evidence,
    Party,
    Payment,
    Violation,
)
from cityloop.enforcement.services import CASES
from cityloop.enforcement.workflow import CLOCK_STATES, TRANSITIONS, Action

A, K = Action, ClockKind


class Stop(Exception):
    """The next act would happen after "now": the story ends here."""


@dataclass
class Step:
    """One act as the services take it: ``enforcement_act(actor=, action=, now=at, comment=,
    **params)``, ``params`` the action's inputs."""

    action: str
    actor: Any
    at: datetime
    params: dict[str, Any] = field(default_factory=dict)
    comment: str = ""


@dataclass
class Context:
    """What the year knows that a handler would look up: roles, the rules in force, the
    parties' earlier cases, the catalogue."""

    roles: dict[int, str]  # user pk → role
    credentialed: set[int]  # users holding a valid credential all year
    thresholds: rules.Thresholds
    warn_share: float
    violations: dict[int, Violation]
    tiers: dict[tuple[int, str], tuple[Decimal, Decimal, bool]]
    parties: dict[str, Party]  # identity → party (saved or not)
    history: Any  # ``generate.PartyHistory``


class Life:
    """One case, act by act, up to ``now``."""

    def __init__(self, ctx: Context, case: EnforcementCase, now: datetime) -> None:
        self.ctx, self.case, self.now = ctx, case, now
        self.rows: list[EnforcementEvent] = []
        self.steps: list[Step] = []
        self.clocks: dict[str, CaseClock] = {}
        self.evidence: list[Evidence] = []
        self.payments: list[Payment] = []
        self.officers: set[int] = set()
        self._turns: dict[str, list[tuple[datetime, str]]] = {}

    # --- the register row and the acts -------------------------------------------------
    def register(self, actor: Any, data: dict[str, Any]) -> None:
        case = self.case
        self.rows.append(
            HISTORY.row(case, REGISTER, "", case.state, actor, case.registered_at, data=data)
        )

    def act(self, step: Step) -> None:
        """Take ``step`` in memory, or ``Stop`` if it falls after now."""
        if step.at >= self.now:
            raise Stop
        t = TRANSITIONS[step.action]
        case = self.case
        self.sweep(step.at)
        role = self.ctx.roles.get(getattr(step.actor, "pk", None), getattr(step.actor, "role", ""))
        if not t.allows_state(case.state) or role not in t.roles:
            raise ValueError(f"{case.number}: {step.action} by {role} from {case.state}")
        before = case.state
        data = EFFECTS[step.action](self, step)
        case.state = CASES.next_state(case, t)
        case.version += 1
        row = HISTORY.row(
            case,
            step.action,
            before,
            case.state,
            step.actor,
            step.at,
            comment=step.comment,
            data=data,
        )
        self.rows.append(row)
        self.steps.append(step)

    # --- clocks and the sweep ----------------------------------------------------------
    def start(self, kind: str, at: datetime, since: datetime | None = None) -> CaseClock:
        clock = self.clocks.get(kind) or CaseClock(case=self.case, kind=kind)
        clocks.started(clock, self.case.unit, at, since=since, warn_share=self.ctx.warn_share)
        self.clocks[kind] = clock
        self._plan_turns(clock)
        return clock

    def _plan_turns(self, clock: CaseClock) -> None:
        due = minute_after(clock.deadline)
        turns = []
        if clock.warn_at is not None and minute_after(clock.warn_at) < due:
            turns.append((minute_after(clock.warn_at), ClockState.WARNING))
        turns.append((due, ClockState.OVERDUE))
        self._turns[clock.kind] = turns

    def live(self, kind: str) -> CaseClock | None:
        clock = self.clocks.get(kind)
        return clock if clock is not None and clock.stopped_at is None else None

    def stop(self, kind: str, at: datetime) -> CaseClock | None:
        clock = self.live(kind)
        if clock is not None:
            clock.stopped_at, clock.clock_state = at, ClockState.STOPPED
            self._turns.pop(kind, None)
        return clock

    def sweep(self, until: datetime, *, inclusive: bool = False) -> None:
        """The rows the every-minute sweep writes before ``until``, in time order."""
        due = []
        for kind, turns in self._turns.items():
            for at, state in turns:
                if at < until or (inclusive and at <= until):
                    due.append((at, kind, state))
        for at, kind, state in sorted(due, key=lambda d: (d[0], d[1])):
            clock = self.clocks[kind]
            clock.clock_state = state
            self._turns[kind].remove((at, state))
            data = {"clock": kind, "deadline": clock.deadline.astimezone(UTC).isoformat()}
            state_now = self.case.state
            self.rows.append(
                HISTORY.row(
                    self.case, TURN_ACTION[state], state_now, state_now, SYSTEM, at, data=data
                )
            )

    def finish(self) -> None:
        """The case as of now: the sweep has run up to it, the live clocks read at it."""
        self.sweep(self.now, inclusive=True)
        for clock in self.clocks.values():
            if clock.stopped_at is None:
                clock.clock_state = state_at(
                    deadline=clock.deadline,
                    warn_at=clock.warn_at,
                    suspended=False,
                    now=self.now,
                    states=CLOCK_STATES,
                )

    # --- shared parts of the handlers --------------------------------------------------
    def officers_of(self, step: Step) -> list[int]:
        ids = {item["officer"] for item in step.params.get("officers") or []}
        ids.add(step.actor.pk)
        valid = sorted(ids & self.ctx.credentialed)
        if len(valid) < rules.OFFICERS_REQUIRED:
            raise ValueError(f"{self.case.number}: {step.action} needs two officers")
        self.officers.update(valid)
        return valid

    def facts(self, step: Step) -> Violation:
        case, p = self.case, step.params
        violation = self.ctx.violations[p["violation"]]
        case.violation, case.occurred_at, case.facts = (
            violation,
            p["occurred_at"],
            p["facts"].strip(),
        )
        if not rules.within_limitation(
            case.occurred_at, case.registered_at, violation.limitation_years
        ):
            raise ValueError(f"{case.number}: beyond the limitation")
        return violation

    def party(self, step: Step, violation: Violation) -> dict[str, Any]:
        """The party by its identity, and 首违 / earlier cases from the year's history."""
        case = self.case
        party = self.ctx.parties[step.params["party_identity"]]
        case.party = party
        earlier, repeated = self.ctx.history.before(party.identity, violation.code, step.at)
        case.earlier_cases = earlier
        case.first_violation = violation.first_offence_exempt and not repeated
        return {
            "party": party,  # the writer puts the saved party's pk here
            "violation": violation.code,
            "violation_version": violation.version,
            "first_violation": case.first_violation,
            "earlier_cases": case.earlier_cases,
        }


SYSTEM = SystemActor()


def _kinds(fine: Decimal, warning: bool) -> list[str]:
    return ([PenaltyKind.WARNING] if warning else []) + ([PenaltyKind.FINE] if fine > 0 else [])


# --- the handlers' effects, action by action (enforcement.services) ---------------------------
def _propose_filing(life: Life, step: Step) -> dict:
    data = life.party(step, life.facts(step))
    data["officers"] = life.officers_of(step)
    return data


def _approve_filing(life: Life, step: Step) -> dict:
    life.case.filed_at = step.at
    life.stop(K.FILING, step.at)
    return {"decide_by": life.start(K.DECISION, step.at).deadline.isoformat()}


def _clue_ends(life: Life, step: Step) -> dict:
    life.stop(K.FILING, step.at)
    return {"to": step.params["to"]} if "to" in step.params else {}


def _on_the_spot(life: Life, step: Step) -> dict:
    case, p, at = life.case, step.params, step.at
    violation = life.facts(step)
    fine, warning = Decimal(p.get("fine") or 0), bool(p.get("warning"))
    kind = life.ctx.parties[p["party_identity"]].kind
    if not rules.may_decide_on_the_spot(kind, fine) or (
        fine > 0 and not _in_range(violation, fine)
    ):
        raise ValueError(f"{case.number}: {fine} not allowed on the spot")
    if p.get("cash") and not rules.may_collect_cash(
        fine, hard_to_enforce=p.get("hard_to_enforce", False)
    ):
        raise ValueError(f"{case.number}: no cash for {fine}")
    data = life.party(step, violation)
    data["officers"] = life.officers_of(step)
    case.procedure, case.outcome = Procedure.SIMPLE, Outcome.PENALTY
    case.fine, case.penalty_kinds = rules.yuan(fine), _kinds(fine, warning)
    case.decided_at = case.served_at = at
    case.service_method = ServiceMethod.IN_PERSON
    if fine > 0 and p.get("cash"):
        case.cash_collected, case.paid, case.paid_at = True, case.fine, at
        life.payments.append(Payment(case=case, amount=case.fine, paid_at=at, receipt="当场收缴"))
        life.start(K.HANDOVER, at)
    elif fine > 0:
        case.pay_by = life.start(K.PAYMENT, at).deadline
    data.update(fine=str(case.fine), cash=case.cash_collected)
    return data


def _hand_over(life: Life, step: Step) -> dict:
    life.case.handed_over_at = step.at
    clock = life.stop(K.HANDOVER, step.at)
    return {"late": bool(clock and step.at > clock.deadline)}


def _add_evidence(life: Life, step: Step) -> dict:
    case, p = life.case, step.params
    officers = life.officers_of(step)
    number = len(life.evidence) + 1
    life.evidence.append(
        Evidence(
            case=case,
            number=number,
            kind=p["kind"],
            description=p["description"],
            collected_at=p.get("collected_at") or step.at,
            officers=officers,
        )
    )
    return {"officers": officers, "evidence": [{"number": number, "sha256": ""}]}


def _preserve(life: Life, step: Step) -> dict:
    officers = life.officers_of(step)
    clock = life.start(K.PRESERVATION, step.at)
    number = len(life.evidence) + 1
    items = step.params["items"]
    life.evidence.append(
        Evidence(
            case=life.case,
            number=number,
            kind=EvidenceKind.PRESERVATION,
            description=items,
            collected_at=step.at,
            officers=officers,
        )
    )
    return {
        "officers": officers,
        "items": items,
        "evidence": number,
        "decide_by": clock.deadline.isoformat(),
    }


def _release(life: Life, step: Step) -> dict:
    clock = life.stop(K.PRESERVATION, step.at)
    return {"result": step.params["result"], "late": step.at > clock.deadline}


def _conclude(life: Life, step: Step) -> dict:
    case, p = life.case, step.params
    outcome = p["outcome"]
    fine, warning = Decimal(p.get("fine") or 0), bool(p.get("warning"))
    if outcome == Outcome.PENALTY:
        if (
            not life.evidence
            or not _in_range(case.violation, fine)
            or not _in_tier(life, p.get("tier") or "", fine)
        ):
            raise ValueError(f"{case.number}: a penalty of {fine} does not hold")
    else:
        fine, warning = Decimal(0), False
    officers = life.officers_of(step)
    limits = life.ctx.thresholds
    case.proposed_outcome, case.tier = outcome, p.get("tier") or ""
    case.proposed_fine = rules.yuan(fine)
    case.penalty_kinds = _kinds(fine, warning)
    case.difficult = bool(p.get("difficult"))
    penalty = outcome == Outcome.PENALTY
    case.hearing_right = penalty and rules.hearing_right(case.party.kind, fine, limits)
    case.legal_review_required = rules.legal_review_required(
        difficult=case.difficult, hearing=case.hearing_right, fine=fine, thresholds=limits
    )
    case.serious = penalty and rules.needs_collective_discussion(case.tier, fine, limits)
    case.legal_review_passed = False
    return {
        "officers": officers,
        "outcome": outcome,
        "fine": str(case.proposed_fine),
        "tier": case.tier,
        "hearing_right": case.hearing_right,
        "legal_review_required": case.legal_review_required,
        "serious": case.serious,
    }


def _in_range(violation: Violation, fine: Decimal) -> bool:
    return fine <= 0 or (
        fine >= violation.min_fine and (not violation.max_fine or fine <= violation.max_fine)
    )


def _in_tier(life: Life, tier: str, fine: Decimal) -> bool:
    if not tier:
        return True
    band = life.ctx.tiers.get((life.case.violation.pk, tier))
    if band is None:
        return False
    low, high, no_fine = band
    return fine <= 0 or low <= fine <= high or no_fine


def _approve_review(life: Life, step: Step) -> dict:
    if life.case.legal_review_required:
        raise ValueError(f"{life.case.number}: needs legal review")
    return {}


def _nothing(life: Life, step: Step) -> dict:
    return {}


def _pass_legal_review(life: Life, step: Step) -> dict:
    life.case.legal_review_passed = True
    return {"opinion": step.params["opinion"]}


def _failed_review(life: Life, step: Step) -> dict:
    life.case.legal_review_passed = False
    return {}


def _notify(life: Life, step: Step) -> dict:
    case = life.case
    officers = life.officers_of(step)
    case.notified_at = step.at
    clock = life.start(K.STATEMENT, step.at)
    return {
        "officers": officers,
        "hearing_right": case.hearing_right,
        "answer_by": clock.deadline.isoformat(),
    }


def _record_statement(life: Life, step: Step) -> dict:
    case, p = life.case, step.params
    text, waived = (p.get("statement") or "").strip(), bool(p.get("waived"))
    if text:
        case.statement = f"{case.statement}\n{text}".strip()
    case.statement_waived = case.statement_waived or waived
    return {"waived": waived}


def _request_hearing(life: Life, step: Step) -> dict:
    case = life.case
    at = step.params.get("requested_at") or step.at
    clock = life.live(K.STATEMENT)
    if not case.hearing_right or (clock is not None and at >= clock.deadline):
        raise ValueError(f"{case.number}: no hearing request now")
    case.hearing_requested_at = at
    life.stop(K.STATEMENT, step.at)
    return {}


def _schedule_hearing(life: Life, step: Step) -> dict:
    p = step.params
    life.case.hearing_at = p["hearing_at"]
    return {"hearing_at": p["hearing_at"].isoformat(), "place": p["place"], "host": p["host"]}


def _conclude_hearing(life: Life, step: Step) -> dict:
    life.case.heard_at = step.at
    return {"report": step.params["report"]}


def _close_notice(life: Life, step: Step) -> dict:
    case = life.case
    clock = life.live(K.STATEMENT)
    if (
        clock is not None
        and step.at < clock.deadline
        and not (case.statement or case.statement_waived)
    ):
        raise ValueError(f"{case.number}: the notice period is still open")
    life.stop(K.STATEMENT, step.at)
    return {}


def _deliberate(life: Life, step: Step) -> dict:
    life.case.deliberated_at = step.at
    return {"participants": step.params["participants"], "conclusion": step.params["conclusion"]}


def _decide(life: Life, step: Step) -> dict:
    case, p = life.case, step.params
    outcome = p["outcome"]
    fine, warning = Decimal(p.get("fine") or 0), bool(p.get("warning"))
    if outcome != Outcome.PENALTY:
        fine, warning = Decimal(0), False
    elif case.serious and case.deliberated_at is None:
        raise ValueError(f"{case.number}: a serious case is discussed first")
    case.outcome, case.fine = outcome, rules.yuan(fine)
    case.penalty_kinds = _kinds(fine, warning)
    case.decided_at = step.at
    clock = life.stop(K.DECISION, step.at)
    data: dict[str, Any] = {"outcome": outcome, "fine": str(case.fine)}
    if clock is not None and step.at >= clock.deadline:
        data["late"] = True
    life.start(K.SERVICE, step.at)
    return data


def _serve(life: Life, step: Step) -> dict:
    case, p = life.case, step.params
    at = p.get("served_at") or step.at
    officers = life.officers_of(step)
    case.served_at, case.service_method = at, p["method"]
    life.stop(K.SERVICE, step.at)
    if case.fine > 0:
        case.pay_by = life.start(K.PAYMENT, step.at, since=at).deadline
    return {
        "officers": officers,
        "method": p["method"],
        "served_at": at.isoformat(),
        "recipient": p["recipient"],
    }


def _record_payment(life: Life, step: Step) -> dict:
    case, p = life.case, step.params
    amount = Decimal(p["amount"])
    at = p.get("paid_at") or step.at
    clock = life.live(K.PAYMENT)
    due = rules.amount_due(case.fine, clock.deadline if clock else None, timezone.localdate(at))
    if amount > due - case.paid:
        raise ValueError(f"{case.number}: {amount} is more than is owed")
    life.payments.append(
        Payment(case=case, amount=amount, paid_at=at, receipt=p.get("receipt") or "")
    )
    case.paid += amount
    case.surcharge = due - case.fine
    if case.paid >= due:
        case.paid_at = at
        for kind in (K.PAYMENT, K.REMINDER, K.COURT):
            life.stop(kind, step.at)
    return {"amount": str(amount), "due": str(due), "paid": str(case.paid)}


def _remind(life: Life, step: Step) -> dict:
    case = life.case
    clock = life.live(K.PAYMENT)
    if clock is None or step.at < clock.deadline:
        raise ValueError(f"{case.number}: not overdue yet")
    case.reminded_at = step.at
    life.start(K.REMINDER, step.at)
    opens, _closes = rules.court_window(case.served_at)
    since = timezone.make_aware(datetime.combine(opens, datetime.min.time()))
    life.start(K.COURT, step.at, since=since)
    return {"owed": str(rules.amount_due(case.fine, clock.deadline, timezone.localdate(step.at)))}


def _apply_court(life: Life, step: Step) -> dict:
    clock = life.live(K.REMINDER)
    if clock is None or step.at < clock.deadline:
        raise ValueError(f"{life.case.number}: too soon for the court")
    life.case.court_applied_at = step.at
    life.stop(K.REMINDER, step.at)
    life.stop(K.COURT, step.at)
    return {"court": step.params["court"]}


def _close(life: Life, step: Step) -> dict:
    case = life.case
    if case.fine > 0 and case.paid_at is None and case.court_applied_at is None:
        raise ValueError(f"{case.number}: unpaid")
    case.closed_at = step.at
    for kind in list(life.clocks):
        life.stop(kind, step.at)
    return {"summary": step.params["summary"]}


def _archive(life: Life, step: Step) -> dict:
    life.case.archived_at = step.at
    return {}


def _extend(life: Life, step: Step) -> dict:
    clock = life.live(K.DECISION)
    clocks.extended(clock, life.case.unit, Period.natural_days(step.params["days"]), step.at)
    life._plan_turns(clock)
    return {"decide_by": clock.deadline.isoformat()}


EFFECTS = {
    A.PROPOSE_FILING: _propose_filing,
    A.APPROVE_FILING: _approve_filing,
    A.RETURN_FILING: _nothing,
    A.NOT_FILE: _clue_ends,
    A.TRANSFER: _clue_ends,
    A.ON_THE_SPOT: _on_the_spot,
    A.HAND_OVER: _hand_over,
    A.ADD_EVIDENCE: _add_evidence,
    A.PRESERVE: _preserve,
    A.RELEASE: _release,
    A.CONCLUDE: _conclude,
    A.APPROVE_REVIEW: _approve_review,
    A.SEND_LEGAL_REVIEW: _nothing,
    A.RETURN_INVESTIGATION: _failed_review,
    A.PASS_LEGAL_REVIEW: _pass_legal_review,
    A.FAIL_LEGAL_REVIEW: _failed_review,
    A.NOTIFY: _notify,
    A.RECORD_STATEMENT: _record_statement,
    A.REQUEST_HEARING: _request_hearing,
    A.SCHEDULE_HEARING: _schedule_hearing,
    A.CONCLUDE_HEARING: _conclude_hearing,
    A.CLOSE_NOTICE: _close_notice,
    A.DELIBERATE: _deliberate,
    A.DECIDE: _decide,
    A.SERVE: _serve,
    A.RECORD_PAYMENT: _record_payment,
    A.REMIND: _remind,
    A.APPLY_COURT: _apply_court,
    A.CLOSE: _close,
    A.ARCHIVE: _archive,
    A.EXTEND: _extend,
}
