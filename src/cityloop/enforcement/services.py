"""Writes of the enforcement app: a clue registered, and every act on a case through the
kernel's one write path (``CASES.act``, decision 0042): the row locked, the table's checks, the
handler's statutory rules (``rules``, cited there), the clocks, the documents, one chained
history row, one transaction. A refusal changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.core.refusals import ActionRefused, BadInput
from cityloop.core.workflow.actors import SystemActor, is_explicit
from cityloop.core.workflow.clocks import Period, deadline
from cityloop.core.workflow.engine import ActionContext, Messages, Workflow
from cityloop.enforcement import clocks, rules
from cityloop.enforcement.choices import (
    ClockKind,
    ClueSource,
    EnforcementState,
    EvidenceKind,
    Outcome,
    PartyKind,
    PenaltyKind,
    Procedure,
    ServiceMethod,
)
from cityloop.enforcement.history import HISTORY, write_first
from cityloop.enforcement.issuing import issue
from cityloop.enforcement.models import EnforcementCase, Evidence, Party, Payment, Violation
from cityloop.enforcement.selectors import (
    credentialed,
    earlier_cases,
    earlier_same_violation,
    officers_for,
    rules_on,
    same_act_fined,
    thresholds,
)
from cityloop.enforcement.workflow import TRANSITIONS, Action, Actor
from cityloop.org.choices import Role, UnitKind
from cityloop.org.codes import validate_credit_code, validate_id_number
from cityloop.org.models import Unit

A, K, S = Action, ClockKind, EnforcementState


# --- whose unit may act ------------------------------------------------------------------------
def _in_reach(user, case: EnforcementCase) -> bool:
    if user.is_superuser:
        return True
    unit = user.unit
    return unit is not None and (unit.kind == UnitKind.DISTRICT or unit.pk == case.unit_id)


def _team(user, case, t) -> bool:
    return _in_reach(user, case)


def _head(user, case, t) -> bool:
    return _in_reach(user, case)


def _reviewer(user, case, t) -> bool:
    return _in_reach(user, case)


# --- shared rules of the handlers ---------------------------------------------------------------
def _refuse(message: Any, field: str, code: str = "invalid", **params: Any) -> BadInput:
    return BadInput(lazy_format(message, params) if params else message, field=field, code=code)


TWO_OFFICERS = _(
    "At least two officers holding a valid enforcement credential must act together "
    "(《行政处罚法》第四十二条); with you, %(valid)s of the officers named hold one."
)
NOT_AN_OFFICER = _("%(name)s is not an enforcement officer of this case's unit.")


def _require_officers(ctx: ActionContext) -> list[int]:
    """The officers acting (the actor and the ones named): two at least with a valid
    credential (第四十二条); recorded in the history row and on the case."""
    case = ctx.record
    named = {item["officer"] for item in ctx.params.get("officers") or []}
    allowed = set(officers_for(case).filter(pk__in=named).values_list("pk", flat=True))
    if stranger := named - allowed:
        raise _refuse(NOT_AN_OFFICER, "officers", "officer", name=f"#{min(stranger)}")
    ids = set(named)
    if not is_explicit(ctx.actor):
        ids.add(ctx.actor.pk)
    valid = credentialed(ids, timezone.localdate(ctx.now))
    if len(valid) < rules.OFFICERS_REQUIRED:
        raise _refuse(TWO_OFFICERS, "officers", "two_officers", valid=len(valid))
    ctx.data["officers"] = sorted(valid)
    case.officers.add(*valid)
    return sorted(valid)


def _party(ctx: ActionContext) -> Party:
    """The party named by the inputs, found by identity (so that earlier cases are found), or
    registered; its identity validated with its check character."""
    p = ctx.params
    kind, identity = p["party_kind"], (p.get("party_identity") or "").strip().upper()
    if not identity:
        raise _refuse(
            _("Enter the party's ID number or credit code: earlier cases are found by it."),
            "party_identity",
            "missing",
        )
    try:
        (validate_id_number if kind == PartyKind.PERSON else validate_credit_code)(identity)
    except ValidationError as exc:
        raise BadInput(exc.messages[0], field="party_identity", code=exc.code or "invalid") from exc
    party = Party.objects.filter(identity=identity).first() or Party(identity=identity)
    if party.pk and party.kind != kind:
        raise _refuse(_("This identity belongs to a party of another kind."), "party_kind", "kind")
    party.kind, party.name = kind, p["party_name"].strip()
    if kind == PartyKind.PERSON:
        party.id_number, party.credit_code = identity, ""
    else:
        party.id_number, party.credit_code = "", identity
        party.legal_representative = p.get("legal_representative") or party.legal_representative
    party.phone = p.get("party_phone") or party.phone
    party.address = p.get("party_address") or party.address
    party.save()
    return party


LIMITATION = _(
    "The act was committed on %(on)s: not found within %(years)s years, it may no longer be "
    "punished (《行政处罚法》第三十六条)."
)


def _facts(ctx: ActionContext) -> Violation:
    case, p = ctx.record, ctx.params
    violation = Violation.objects.filter(pk=p["violation"], current=True).first()
    if violation is None:
        raise _refuse(_("Choose a violation from the catalogue."), "violation", "invalid_choice")
    occurred = p["occurred_at"]
    if occurred > ctx.now:
        raise _refuse(_("The act cannot be committed in the future."), "occurred_at", "future")
    _check_limitation(occurred, case.registered_at, violation.limitation_years)
    case.violation, case.occurred_at, case.facts = violation, occurred, p["facts"].strip()
    return violation


def _check_limitation(occurred: datetime, found: datetime, years: int) -> None:
    if not rules.within_limitation(occurred, found, years):
        raise _refuse(
            LIMITATION,
            "occurred_at",
            "limitation",
            on=timezone.localdate(occurred).isoformat(),
            years=years,
        )


def _history_of_party(ctx: ActionContext, party: Party, violation: Violation) -> None:
    """首违 (第三十三条) and repeat offences, from the party's earlier cases, not typed."""
    case = ctx.record
    case.party = party
    case.earlier_cases = earlier_cases(party, before=case).count()
    repeated = earlier_same_violation(party, violation.code, before=case).exists()
    case.first_violation = violation.first_offence_exempt and not repeated
    ctx.data.update(
        party=party.pk,
        violation=violation.code,
        violation_version=violation.version,
        first_violation=case.first_violation,
        earlier_cases=case.earlier_cases,
    )


def _fine(ctx: ActionContext, violation: Violation | None, fine: Decimal, field: str = "fine"):
    if violation is None or fine <= 0:
        return
    if fine < violation.min_fine or (violation.max_fine and fine > violation.max_fine):
        raise _refuse(
            _("The fine for this violation is from %(low)s to %(high)s yuan (%(basis)s)."),
            field,
            "range",
            low=violation.min_fine,
            high=violation.max_fine,
            basis=violation.penalty_basis,
        )


def _penalty_kinds(fine: Decimal, warning: bool) -> list[str]:
    return ([PenaltyKind.WARNING] if warning else []) + ([PenaltyKind.FINE] if fine > 0 else [])


# --- handlers ------------------------------------------------------------------------------------
def _propose_filing(ctx: ActionContext) -> None:
    violation = _facts(ctx)
    _history_of_party(ctx, _party(ctx), violation)
    _require_officers(ctx)


def _approve_filing(ctx: ActionContext) -> None:
    case = ctx.record
    # 第三十六条 is checked at filing as well: the proposal may have waited.
    _check_limitation(case.occurred_at, case.registered_at, case.violation.limitation_years)
    case.filed_at = ctx.now
    clocks.stop(case, K.FILING, ctx.now)
    clock = clocks.start(case, K.DECISION, ctx.now)
    ctx.data["decide_by"] = clock.deadline.isoformat()
    issue(ctx, "filing_approval")


def _clue_ends(ctx: ActionContext) -> None:
    clocks.stop(ctx.record, K.FILING, ctx.now)
    if "to" in ctx.params:
        ctx.data["to"] = ctx.params["to"]


OVER_LIMIT = _(
    "On the spot a %(kind)s may be fined at most %(limit)s yuan (《行政处罚法》第五十一条); "
    "use the ordinary procedure."
)
NO_CASH = _(
    "Cash may be collected on the spot only for fines up to 100 yuan, or when the fine would be "
    "hard to collect later (《行政处罚法》第六十八条)."
)


def _on_the_spot(ctx: ActionContext) -> None:
    case, p = ctx.record, ctx.params
    violation = _facts(ctx)
    party = _party(ctx)
    fine, warning = Decimal(p.get("fine") or 0), bool(p.get("warning"))
    if fine <= 0 and not warning:
        raise _refuse(_("Give a fine or a warning."), "fine", "missing")
    if not rules.may_decide_on_the_spot(party.kind, fine):
        raise _refuse(
            OVER_LIMIT,
            "fine",
            "over_limit",
            kind=PartyKind(party.kind).label,
            limit=rules.on_the_spot_limit(party.kind),
        )
    _fine(ctx, violation, fine)
    if p.get("cash") and not rules.may_collect_cash(fine, hard_to_enforce=p["hard_to_enforce"]):
        raise _refuse(NO_CASH, "cash", "cash_limit")
    _history_of_party(ctx, party, violation)
    if fine > 0 and (other := same_act_fined(case).first()) is not None:
        raise _refuse(SECOND_FINE, "fine", "second_fine", number=other.number)
    _require_officers(ctx)
    case.procedure, case.outcome = Procedure.SIMPLE, Outcome.PENALTY
    case.fine, case.penalty_kinds = rules.yuan(fine), _penalty_kinds(fine, warning)
    case.decided_at = case.served_at = ctx.now
    case.service_method = ServiceMethod.IN_PERSON
    if fine > 0 and p.get("cash"):
        case.cash_collected, case.paid, case.paid_at = True, case.fine, ctx.now
        Payment.objects.create(case=case, amount=case.fine, paid_at=ctx.now, receipt="当场收缴")
        clocks.start(case, K.HANDOVER, ctx.now)
    elif fine > 0:
        case.pay_by = clocks.start(case, K.PAYMENT, ctx.now).deadline
    ctx.data.update(fine=str(case.fine), cash=case.cash_collected)
    issue(ctx, "on_the_spot_decision")


def _hand_over(ctx: ActionContext) -> None:
    case = ctx.record
    if not case.cash_collected or case.handed_over_at is not None:
        raise _refuse(_("There is no cash collected on the spot to hand in."), "cash", "state")
    case.handed_over_at = ctx.now
    clock = clocks.stop(case, K.HANDOVER, ctx.now)
    ctx.data["late"] = bool(clock and ctx.now > clock.deadline)


def _next_evidence_number(case: EnforcementCase) -> int:
    return (case.evidence.aggregate(n=Max("number"))["n"] or 0) + 1


def _add_evidence(ctx: ActionContext) -> None:
    case, p = ctx.record, ctx.params
    officers = _require_officers(ctx)
    files = list(ctx.attachments)
    if p["kind"] == EvidenceKind.PHOTO and not files:
        raise _refuse(_("Attach the photo or video."), "photos", "missing")
    number = _next_evidence_number(case)
    sealed = []
    for n, upload in enumerate(files or [None]):
        item = Evidence(
            case=case,
            number=number + n,
            kind=p["kind"],
            description=p["description"],
            collected_at=p.get("collected_at") or ctx.now,
            officers=officers,
        )
        if upload is not None:
            item.sha256 = _digest(upload)
            item.file.save(getattr(upload, "name", "evidence.bin"), upload, save=False)
        item.save()
        sealed.append({"number": item.number, "sha256": item.sha256})
    ctx.data["evidence"] = sealed


def _digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _preserve(ctx: ActionContext) -> None:
    case = ctx.record
    if clocks.live(case, K.PRESERVATION):
        raise _refuse(_("Items are already preserved: decide on them first."), "items", "preserved")
    officers = _require_officers(ctx)
    clock = clocks.start(case, K.PRESERVATION, ctx.now)
    item = Evidence.objects.create(
        case=case,
        number=_next_evidence_number(case),
        kind=EvidenceKind.PRESERVATION,
        description=ctx.params["items"],
        collected_at=ctx.now,
        officers=officers,
    )
    ctx.data.update(
        items=ctx.params["items"], evidence=item.number, decide_by=clock.deadline.isoformat()
    )
    issue(ctx, "preservation_notice")


def _release(ctx: ActionContext) -> None:
    clock = clocks.stop(ctx.record, K.PRESERVATION, ctx.now)
    if clock is None:
        raise _refuse(_("No items are preserved in this case."), "result", "state")
    ctx.data.update(result=ctx.params["result"], late=ctx.now > clock.deadline)


def _conclude(ctx: ActionContext) -> None:
    case, p = ctx.record, ctx.params
    outcome = p["outcome"]
    fine, warning = Decimal(p.get("fine") or 0), bool(p.get("warning"))
    if outcome == Outcome.PENALTY:
        if fine <= 0 and not warning:
            raise _refuse(_("Give a fine or a warning."), "fine", "missing")
        if not case.evidence.exists():
            raise _refuse(
                _("A penalty needs evidence: add at least one evidence item."),
                "outcome",
                "no_evidence",
            )
        _fine(ctx, case.violation, fine)
        _check_tier(case, p.get("tier") or "", fine)
    else:
        fine, warning = Decimal(0), False
    _require_officers(ctx)
    limits = thresholds(rules_on(timezone.localdate(ctx.now)))
    case.proposed_outcome, case.tier = outcome, p.get("tier") or ""
    case.proposed_fine = rules.yuan(fine)
    case.penalty_kinds = _penalty_kinds(fine, warning)
    case.difficult = bool(p.get("difficult"))
    penalty = outcome == Outcome.PENALTY
    case.hearing_right = penalty and rules.hearing_right(case.party.kind, fine, limits)
    case.legal_review_required = rules.legal_review_required(
        difficult=case.difficult, hearing=case.hearing_right, fine=fine, thresholds=limits
    )
    case.serious = penalty and rules.needs_collective_discussion(case.tier, fine, limits)
    case.legal_review_passed = False
    ctx.data.update(
        outcome=outcome,
        fine=str(case.proposed_fine),
        tier=case.tier,
        hearing_right=case.hearing_right,
        legal_review_required=case.legal_review_required,
        serious=case.serious,
    )


def _check_tier(case: EnforcementCase, tier: str, fine: Decimal) -> None:
    if not tier:
        return
    band = case.violation.tiers.filter(tier=tier).first() if case.violation else None
    if band is None:
        raise _refuse(_("This violation has no such discretion tier."), "tier", "invalid_choice")
    if fine > 0 and (fine < band.min_fine or fine > band.max_fine) and not band.no_fine:
        raise _refuse(
            _("In the tier “%(tier)s” the fine is from %(low)s to %(high)s yuan (裁量基准)."),
            "fine",
            "tier_range",
            tier=band.get_tier_display(),
            low=band.min_fine,
            high=band.max_fine,
        )


NEEDS_REVIEW = _(
    "This case needs legal review before a decision (《行政处罚法》第五十八条): send it to the "
    "legal reviewers."
)


def _approve_review(ctx: ActionContext) -> None:
    if ctx.record.legal_review_required:
        raise _refuse(NEEDS_REVIEW, "legal_review", "legal_review_required")


def _pass_legal_review(ctx: ActionContext) -> None:
    ctx.record.legal_review_passed = True
    ctx.data["opinion"] = ctx.params["opinion"]
    issue(ctx, "legal_review_opinion")


def _failed_review(ctx: ActionContext) -> None:
    ctx.record.legal_review_passed = False


def _notify(ctx: ActionContext) -> None:
    case = ctx.record
    _require_officers(ctx)
    case.notified_at = ctx.now
    clock = clocks.start(case, K.STATEMENT, ctx.now)
    ctx.data.update(hearing_right=case.hearing_right, answer_by=clock.deadline.isoformat())
    issue(ctx, "prior_notice")


def _record_statement(ctx: ActionContext) -> None:
    case, p = ctx.record, ctx.params
    text, waived = (p.get("statement") or "").strip(), bool(p.get("waived"))
    if not text and not waived:
        raise _refuse(
            _("Record the statement, or that the party waives it."), "statement", "missing"
        )
    if text:
        case.statement = f"{case.statement}\n{text}".strip()
    case.statement_waived = case.statement_waived or waived
    ctx.data.update(waived=waived)


LATE_HEARING = _(
    "A hearing must be asked for within 5 working days of the notice, by %(by)s "
    "(《行政处罚法》第六十四条、第八十五条)."
)


def _request_hearing(ctx: ActionContext) -> None:
    case = ctx.record
    if not case.hearing_right:
        raise _refuse(
            _("This penalty gives no right to a hearing (《行政处罚法》第六十三条)."),
            "requested_at",
            "no_hearing_right",
        )
    at = ctx.params.get("requested_at") or ctx.now
    clock = clocks.live(case, K.STATEMENT)
    if clock is not None and at >= clock.deadline:
        raise _refuse(LATE_HEARING, "requested_at", "late", by=_local(clock.deadline))
    if at > ctx.now:
        raise _refuse(_("The request cannot be in the future."), "requested_at", "future")
    case.hearing_requested_at = at
    clocks.stop(case, K.STATEMENT, ctx.now)


HEARING_TOO_SOON = _(
    "The party must be told of the hearing 7 working days before it (《行政处罚法》第六十四条): "
    "the earliest day is %(day)s."
)


def _schedule_hearing(ctx: ActionContext) -> None:
    case, at = ctx.record, ctx.params["hearing_at"]
    earliest = deadline(ctx.now, Period.working_days(7), case.unit)
    if at < earliest:
        raise _refuse(HEARING_TOO_SOON, "hearing_at", "too_soon", day=_local(earliest))
    case.hearing_at = at
    ctx.data.update(hearing_at=at.isoformat(), place=ctx.params["place"], host=ctx.params["host"])
    issue(ctx, "hearing_notice")


def _conclude_hearing(ctx: ActionContext) -> None:
    case = ctx.record
    if case.hearing_at is None or case.hearing_at > ctx.now:
        raise _refuse(_("The hearing has not been held yet."), "report", "not_held")
    case.heard_at = ctx.now
    ctx.data["report"] = ctx.params["report"]


STILL_OPEN = _(
    "The party may still state, defend and ask for a hearing until %(by)s; record a statement "
    "or a waiver first."
)


def _close_notice(ctx: ActionContext) -> None:
    case = ctx.record
    clock = clocks.live(case, K.STATEMENT)
    answered = case.statement or case.statement_waived
    if clock is not None and ctx.now < clock.deadline and not answered:
        raise _refuse(STILL_OPEN, "notice", "notice_open", by=_local(clock.deadline))
    clocks.stop(case, K.STATEMENT, ctx.now)


def _deliberate(ctx: ActionContext) -> None:
    ctx.record.deliberated_at = ctx.now
    ctx.data.update(participants=ctx.params["participants"], conclusion=ctx.params["conclusion"])


SECOND_FINE = _(
    "The party was already fined for this act in case %(number)s: one act is fined once "
    "(《行政处罚法》第二十九条)."
)


def _decide(ctx: ActionContext) -> None:
    case, p = ctx.record, ctx.params
    outcome = p["outcome"]
    fine, warning = Decimal(p.get("fine") or 0), bool(p.get("warning"))
    if case.notified_at is None:
        raise _refuse(
            _("Notify the party before deciding (《行政处罚法》第四十四条、第六十二条)."),
            "notice",
            "not_notified",
        )
    if case.legal_review_required and not case.legal_review_passed:
        raise _refuse(NEEDS_REVIEW, "legal_review", "legal_review_required")
    if case.hearing_requested_at and not case.heard_at:
        raise _refuse(_("The party asked for a hearing: hold it first."), "hearing", "not_heard")
    if outcome == Outcome.PENALTY:
        if fine <= 0 and not warning:
            raise _refuse(_("Give a fine or a warning."), "fine", "missing")
        _fine(ctx, case.violation, fine)
        limits = thresholds(rules_on(timezone.localdate(ctx.now)))
        serious = case.serious or rules.needs_collective_discussion(case.tier, fine, limits)
        if serious and case.deliberated_at is None:
            raise _refuse(
                _("A serious case is decided by the leaders collectively (第五十七条)."),
                "deliberation",
                "not_deliberated",
            )
        if fine > 0 and (other := same_act_fined(case).first()) is not None:
            raise _refuse(SECOND_FINE, "fine", "second_fine", number=other.number)
    else:
        fine, warning = Decimal(0), False
    case.outcome, case.fine = outcome, rules.yuan(fine)
    case.penalty_kinds = _penalty_kinds(fine, warning)
    case.decided_at = ctx.now
    clock = clocks.stop(case, K.DECISION, ctx.now)
    ctx.data.update(outcome=outcome, fine=str(case.fine))
    if clock is not None and ctx.now >= clock.deadline:
        ctx.data["late"] = True  # 第六十条: recorded, shown in supervision
    clocks.start(case, K.SERVICE, ctx.now)
    issue(ctx, "penalty_decision")


def _serve(ctx: ActionContext) -> None:
    case, p = ctx.record, ctx.params
    at = p.get("served_at") or ctx.now
    if at > ctx.now or at < case.decided_at:
        raise _refuse(
            _("Service happens after the decision, not in the future."), "served_at", "range"
        )
    if p["method"] == ServiceMethod.ELECTRONIC and not case.party.e_service_consent:
        raise _refuse(
            _("Electronic service needs the party's signed consent (《行政处罚法》第六十一条)."),
            "method",
            "no_consent",
        )
    _require_officers(ctx)
    case.served_at, case.service_method = at, p["method"]
    clocks.stop(case, K.SERVICE, ctx.now)
    if case.fine > 0:
        case.pay_by = clocks.start(case, K.PAYMENT, ctx.now, since=at).deadline
    ctx.data.update(method=p["method"], served_at=at.isoformat(), recipient=p["recipient"])
    issue(ctx, "service_receipt")


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        amount = Decimal(-1)
    if amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _refuse(_("Enter an amount in yuan such as 200 or 206.50."), "amount", "amount")
    return amount


def _record_payment(ctx: ActionContext) -> None:
    case, p = ctx.record, ctx.params
    amount = _amount(p["amount"])
    at = p.get("paid_at") or ctx.now
    if at > ctx.now:
        raise _refuse(_("A payment cannot be in the future."), "paid_at", "future")
    if case.fine <= 0 or case.paid_at is not None:
        raise _refuse(_("Nothing is owed in this case."), "amount", "nothing_owed")
    clock = clocks.live(case, K.PAYMENT)
    due = rules.amount_due(case.fine, clock.deadline if clock else None, timezone.localdate(at))
    owed = due - case.paid
    if amount > owed:
        raise _refuse(
            _("Only %(owed)s yuan is owed (fine and late surcharge, 第七十二条)."),
            "amount",
            "overpaid",
            owed=owed,
        )
    Payment.objects.create(case=case, amount=amount, paid_at=at, receipt=p.get("receipt") or "")
    case.paid += amount
    case.surcharge = due - case.fine
    if case.paid >= due:
        case.paid_at = at
        for kind in (K.PAYMENT, K.REMINDER, K.COURT):
            clocks.stop(case, kind, ctx.now)
    ctx.data.update(amount=str(amount), due=str(due), paid=str(case.paid))


def _allow_deferral(ctx: ActionContext) -> None:
    case, to = ctx.record, ctx.params["pay_by"]
    if case.fine <= 0 or case.paid_at is not None:
        raise _refuse(_("Nothing is owed in this case."), "pay_by", "nothing_owed")
    if case.pay_by and to <= case.pay_by:
        raise _refuse(_("The new deadline must be after the current one."), "pay_by", "earlier")
    clocks.move_clock(case, K.PAYMENT, to, ctx.now)
    case.pay_by = to
    ctx.data.update(kind=ctx.params["kind"], pay_by=to.isoformat())


def _remind(ctx: ActionContext) -> None:
    case = ctx.record
    clock = clocks.live(case, K.PAYMENT)
    if case.fine <= 0 or case.paid_at is not None or clock is None or ctx.now < clock.deadline:
        raise _refuse(
            _("A reminder is served once the fine is overdue (《行政强制法》第三十五条)."),
            "paid",
            "not_overdue",
        )
    case.reminded_at = ctx.now
    clocks.start(case, K.REMINDER, ctx.now)
    opens, _closes = rules.court_window(case.served_at)
    since = timezone.make_aware(datetime.combine(opens, datetime.min.time()))
    clocks.start(case, K.COURT, ctx.now, since=since)
    ctx.data["owed"] = str(rules.amount_due(case.fine, clock.deadline, timezone.localdate(ctx.now)))
    issue(ctx, "reminder")


def _apply_court(ctx: ActionContext) -> None:
    case = ctx.record
    clock = clocks.live(case, K.REMINDER)
    if clock is None or ctx.now < clock.deadline:
        raise _refuse(
            _(
                "The court may be asked 10 days after the reminder was served "
                "(《行政强制法》第五十四条)."
            ),
            "court",
            "too_soon",
        )
    case.court_applied_at = ctx.now
    clocks.stop(case, K.REMINDER, ctx.now)
    clocks.stop(case, K.COURT, ctx.now)
    ctx.data["court"] = ctx.params["court"]


def _close(ctx: ActionContext) -> None:
    case = ctx.record
    if case.fine > 0 and case.paid_at is None and case.court_applied_at is None:
        raise _refuse(
            _("The fine is not paid: record the payment, or apply to the court first."),
            "paid",
            "unpaid",
        )
    if case.cash_collected and case.handed_over_at is None:
        raise _refuse(_("Hand in the cash collected on the spot first."), "cash", "not_handed_over")
    case.closed_at = ctx.now
    for clock in case.clocks.filter(stopped_at__isnull=True):
        clocks.stop(case, clock.kind, ctx.now)
    ctx.data["summary"] = ctx.params["summary"]
    issue(ctx, "closing_report")


def _archive(ctx: ActionContext) -> None:
    ctx.record.archived_at = ctx.now


def _suspend_clock(ctx: ActionContext) -> None:
    clock = clocks.live(ctx.record, K.DECISION)
    if clock is None or clock.suspended_at is not None:
        raise _refuse(_("The 90-day clock is not running."), "clock", "not_running")
    clocks.suspend_clock(ctx.record, K.DECISION, ctx.now)


def _resume_clock(ctx: ActionContext) -> None:
    clock = clocks.live(ctx.record, K.DECISION)
    if clock is None or clock.suspended_at is None:
        raise _refuse(_("The 90-day clock is not suspended."), "clock", "not_suspended")
    clock = clocks.resume_clock(ctx.record, K.DECISION, ctx.now)
    ctx.data["decide_by"] = clock.deadline.isoformat() if clock else None


def _extend(ctx: ActionContext) -> None:
    clock = clocks.live(ctx.record, K.DECISION)
    if clock is None:
        raise _refuse(_("The 90-day clock is not running."), "days", "not_running")
    clock = clocks.extend_clock(
        ctx.record, K.DECISION, Period.natural_days(ctx.params["days"]), ctx.now
    )
    ctx.data["decide_by"] = clock.deadline.isoformat() if clock else None


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


HANDLERS = {
    A.PROPOSE_FILING: _propose_filing,
    A.APPROVE_FILING: _approve_filing,
    A.NOT_FILE: _clue_ends,
    A.TRANSFER: _clue_ends,
    A.ON_THE_SPOT: _on_the_spot,
    A.HAND_OVER: _hand_over,
    A.ADD_EVIDENCE: _add_evidence,
    A.PRESERVE: _preserve,
    A.RELEASE: _release,
    A.CONCLUDE: _conclude,
    A.APPROVE_REVIEW: _approve_review,
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
    A.ALLOW_DEFERRAL: _allow_deferral,
    A.REMIND: _remind,
    A.APPLY_COURT: _apply_court,
    A.CLOSE: _close,
    A.ARCHIVE: _archive,
    A.SUSPEND_CLOCK: _suspend_clock,
    A.RESUME_CLOCK: _resume_clock,
    A.EXTEND: _extend,
}


def _role_label(role: str) -> Any:
    return Role(role).label if role in Role.values else _("the system")


CASES = Workflow(
    name="enforcement case",
    model=EnforcementCase,
    table=TRANSITIONS,
    handlers=HANDLERS,
    unit_rules={Actor.TEAM: _team, Actor.HEAD: _head, Actor.REVIEWER: _reviewer},
    write_history=HISTORY,
    role_label=_role_label,
    messages=Messages(
        role=_("Only %(roles)s may %(action)s this enforcement case."),
        state=_("An enforcement case that is “%(state)s” cannot be given “%(action)s”."),
        unit=_("Your unit cannot %(action)s this enforcement case: %(who)s."),
    ),
    related=("unit", "party", "violation"),
)


def enforcement_act(
    *,
    actor: Any,
    case: EnforcementCase | int,
    action: str,
    version: int | None = None,
    comment: str = "",
    attachments: Sequence[Any] = (),
    now: datetime | None = None,
    **params: Any,
) -> EnforcementCase:
    """Take ``action`` on an enforcement case as ``actor`` (the one write path)."""
    return CASES.act(
        actor=actor,
        record=case,
        action=action,
        version=version,
        comment=comment,
        attachments=attachments,
        now=now,
        **params,
    )


# --- registering a clue --------------------------------------------------------------------------
def next_number(now: datetime) -> str:
    """案件编号 ZF + year + a six-digit sequence of the year (the case numbers of the table)."""
    year = timezone.localtime(now).year
    prefix = f"ZF{year}"
    last = (
        EnforcementCase.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:06d}"


def _team_unit(unit: Unit) -> Unit:
    """A clue belongs to the street's enforcement team: the street of a community's or an
    entity's unit; the district for the district."""
    current = unit
    while current is not None and current.kind not in (UnitKind.STREET, UnitKind.DISTRICT):
        current = current.parent
    if current is None:
        raise _refuse(_("Choose the street whose team handles this clue."), "unit", "invalid")
    return current


def register_clue(
    *,
    actor: Any,
    unit: Unit,
    source: str,
    title: str,
    place: str = "",
    facts: str = "",
    note: str = "",
    source_case: Any = None,
    source_package: Any = None,
    now: datetime | None = None,
) -> EnforcementCase:
    """Register a clue (线索登记): the record and its first history row, one transaction."""
    now = now or timezone.now()
    if source not in ClueSource.values:
        raise _refuse(_("Choose where the clue came from."), "source", "invalid_choice")
    if not title.strip():
        raise _refuse(_("Give the clue a title."), "title", "missing")
    if (
        not is_explicit(actor)
        and not actor.has_role(
            Role.ENFORCEMENT_OFFICER, Role.LEADER, Role.DISPATCHER, Role.SHIFT_LEADER
        )
        and not actor.is_superuser
    ):
        raise ActionRefused(
            _("Only enforcement officers, leaders and dispatchers may register a clue."),
            code="role",
        )
    team = _team_unit(unit)
    with transaction.atomic():
        case = EnforcementCase.objects.create(
            number=next_number(now),
            unit=team,
            source=source,
            source_case=source_case,
            source_package=source_package,
            source_note=note[:300],
            title=title.strip()[:200],
            place=place[:200],
            facts=facts,
            registered_at=now,
        )
        data: dict[str, Any] = {"source": source}
        if source_case is not None:
            data["case"] = source_case.ticket
        if source_package is not None:
            data.update(package=source_package.number, package_digest=source_package.digest)
        write_first(case, actor, now, data)
        filing_days = rules_on(timezone.localdate(now)).filing_working_days
        if filing_days:
            clocks.start(
                case,
                K.FILING,
                now,
                period=Period.working_days(filing_days),
                article="《行政处罚法》第五十四条（及时立案）; the bureau's rule",
            )
    return case


def clue_from_package(*, actor: Any, package: Any, now: datetime | None = None) -> EnforcementCase:
    """A sealed waste evidence package becomes a clue; its items become the case's evidence,
    each with its sealed digest, and the package's chain digest is kept (decision 0052)."""
    from cityloop.sorting.choices import EvidenceSubject

    now = now or timezone.now()
    if package.enforcement_cases.exists():
        raise _refuse(_("This evidence package is already a clue."), "package", "already")
    subject = package.household if package.subject == EvidenceSubject.HOUSEHOLD else package.unit
    unit = package.unit if package.unit_id else _unit_of_household(package.household)
    with transaction.atomic():
        case = register_clue(
            actor=actor,
            unit=unit,
            source=ClueSource.EVIDENCE,
            title=str(_("Garbage not sorted: %(subject)s") % {"subject": subject}),
            note=package.number,
            source_package=package,
            now=now,
        )
        items = [
            Evidence(
                case=case,
                number=n,
                kind=EvidenceKind.DEVICE_RECORD,
                description=f"{package.number} #{item.seq}",
                collected_at=package.sealed_at,
                package_item=item,
                sha256=item.digest,
                chain_digest=package.digest,
            )
            for n, item in enumerate(package.items.order_by("seq"), start=1)
        ]
        Evidence.objects.bulk_create(items)
    return case


def _unit_of_household(household: Any) -> Unit:
    point = getattr(household, "point", None)
    community = getattr(point, "community", None) if point else None
    community = community or getattr(household, "community", None)
    if community is None:
        raise _refuse(_("The package's household has no community."), "package", "no_unit")
    return community


def refer_case(*, case: Any, actor: Any, now: datetime, comment: str) -> EnforcementCase:
    """The closed loop's 移送执法 (its ``refer`` action's hook): the case becomes a clue of its
    street's team, the link kept both ways (``EnforcementCase.source_case``)."""
    unit = case.street or case.community
    if EnforcementCase.objects.filter(source_case=case).exists():
        raise _refuse(
            _("This case was already referred to enforcement."), "action", "already_referred"
        )
    if unit is None:
        raise _refuse(_("The case has no street: it cannot be referred."), "street", "no_street")
    return register_clue(
        actor=actor,
        unit=unit,
        source=ClueSource.CASE,
        title=(case.description or case.ticket)[:200],
        place=case.address,
        facts=comment,
        note=case.ticket,
        source_case=case,
        now=now,
    )


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Turn the enforcement clocks past their warning or deadline."""
    return clocks.sweep(now or timezone.now())


__all__ = [
    "CASES",
    "SystemActor",
    "clue_from_package",
    "enforcement_act",
    "refer_case",
    "register_clue",
    "sweep",
]
