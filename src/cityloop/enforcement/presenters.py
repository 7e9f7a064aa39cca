"""How an enforcement case is shown to staff: its summary for lists, its whole file (party
masked unless the user may see it, clocks, evidence, documents, timeline) and the actions the
user may take on it now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cityloop.enforcement.choices import ClockKind, EnforcementState
from cityloop.enforcement.models import (
    CaseClock,
    Document,
    EnforcementCase,
    EnforcementEvent,
    Evidence,
)
from cityloop.enforcement.selectors import may_see_identity
from cityloop.enforcement.services import CASES
from cityloop.enforcement.workflow import Action
from cityloop.org.codes import mask_identity, mask_phone

# History details that name or point at a person (the party, who received a service): the
# party is shown once, masked as the user may see it, never again in the timeline.
PERSONAL_DATA = frozenset({"party", "recipient"})

# The URLs of a case's files, given by the API (it knows its own routes).
Links = Callable[[str, Any], str]


def clock_out(clock: CaseClock) -> dict:
    return {
        "kind": clock.kind,
        "label": str(ClockKind(clock.kind).label),
        "article": clock.article,
        "started_at": clock.started_at,
        "deadline": clock.deadline,
        "warn_at": clock.warn_at,
        "state": clock.clock_state,
        "suspended": clock.suspended_at is not None,
        "stopped_at": clock.stopped_at,
    }


def _next_clock(case: EnforcementCase) -> dict | None:
    running = getattr(case, "live_clocks", None)
    if running is None:  # not prefetched: the one case of a detail page
        running = list(case.clocks.filter(stopped_at__isnull=True).order_by("deadline", "id"))
    return clock_out(running[0]) if running else None


def case_summary(case: EnforcementCase) -> dict:
    """A row of a list (the case's unit, violation and party selected with it)."""
    return {
        "number": case.number,
        "title": case.title,
        "procedure": case.procedure,
        "state": case.state,
        "state_label": str(EnforcementState(case.state).label),
        "unit": {"id": case.unit_id, "code": case.unit.code, "name": case.unit.name},
        "source": case.source,
        "place": case.place,
        "category": case.violation.category if case.violation_id else None,
        "party_name": case.party.name if case.party_id else None,
        "registered_at": case.registered_at,
        "filed_at": case.filed_at,
        "decided_at": case.decided_at,
        "closed_at": case.closed_at,
        "fine": case.fine,
        "next_clock": _next_clock(case),
        "version": case.version,
    }


def party_view(user, case: EnforcementCase) -> dict | None:
    """The party as ``user`` may see it: the ID number (or credit code) and the phone whole
    only for those ``may_see_identity`` lets (the case's officers, reviewers, its leaders)."""
    party = case.party
    if party is None:
        return None
    whole = may_see_identity(user, case)
    identity = party.id_number or party.credit_code
    return {
        "kind": party.kind,
        "name": party.name,
        "identity": identity if whole else mask_identity(identity),
        "phone": party.phone if whole else mask_phone(party.phone),
        "address": party.address,
        "legal_representative": party.legal_representative,
        "masked": not whole,
    }


def _violation(case: EnforcementCase) -> dict | None:
    v = case.violation
    if v is None:
        return None
    fields = ("code", "version", "current", "category", "name", "regulation")
    return {
        "id": v.pk,
        **{name: getattr(v, name) for name in fields},
        "legal_basis": v.legal_basis,
        "penalty_basis": v.penalty_basis,
        "min_fine": v.min_fine,
        "max_fine": v.max_fine,
    }


def _officers(case: EnforcementCase) -> list[dict]:
    officers = case.officers.select_related("enforcement_credential").order_by("id")
    return [
        {
            "id": o.pk,
            "name": str(o),
            "credential": getattr(getattr(o, "enforcement_credential", None), "number", None),
        }
        for o in officers
    ]


def evidence_out(item: Evidence, links: Links) -> dict:
    return {
        "number": item.number,
        "kind": item.kind,
        "description": item.description,
        "collected_at": item.collected_at,
        "officers": list(item.officers),
        "sha256": item.sha256,
        "chain_digest": item.chain_digest,
        "file_url": links("evidence", item) if item.file else None,
    }


def document_out(document: Document, links: Links) -> dict:
    return {
        "id": document.pk,
        "kind": document.kind,
        "number": document.number,
        "revision": document.revision,
        "issued_at": document.issued_at,
        "sha256": document.docx_sha256,
        "pdf_sha256": document.pdf_sha256,
        "docx_url": links("docx", document),
        "pdf_url": links("pdf", document),
    }


def event_out(event: EnforcementEvent) -> dict:
    """A history row, without the details that name a person (``PERSONAL_DATA``)."""
    data = {k: v for k, v in (event.data or {}).items() if k not in PERSONAL_DATA}
    return {
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": event.actor_label,
        "at": event.at,
        "comment": event.comment,
        "data": data,
    }


def allowed_actions(user, case: EnforcementCase) -> list[dict]:
    """The actions ``user`` may take on ``case`` now, as the kernel's table says."""
    return [
        {
            "action": t.action,
            "label": str(Action(t.action).label),
            "reason_required": t.reason_required,
            "takes_files": t.attachments,
        }
        for t in CASES.allowed_actions(user, case)
    ]


def case_detail(user, case: EnforcementCase, links: Links) -> dict:
    """The whole file of a case as ``user`` may see it."""
    clocks = list(case.clocks.order_by("deadline", "id"))
    case.live_clocks = [c for c in clocks if c.stopped_at is None]
    return {
        **case_summary(case),
        "source_note": case.source_note,
        "source_case": case.source_case.ticket if case.source_case_id else None,
        "source_package": case.source_package.number if case.source_package_id else None,
        "occurred_at": case.occurred_at,
        "facts": case.facts,
        "party": party_view(user, case),
        "violation": _violation(case),
        "officers": _officers(case),
        **{name: getattr(case, name) for name in DECISION_FIELDS},
        "clocks": [clock_out(c) for c in clocks],
        "evidence": [evidence_out(e, links) for e in case.evidence.order_by("number")],
        "documents": [document_out(d, links) for d in case.documents.order_by("issued_at", "id")],
        "timeline": [event_out(e) for e in case.events.order_by("at", "id")],
        "actions": allowed_actions(user, case),
    }


DECISION_FIELDS = (
    "tier",
    "proposed_outcome",
    "proposed_fine",
    "outcome",
    "penalty_kinds",
    "first_violation",
    "earlier_cases",
    "legal_review_required",
    "legal_review_passed",
    "hearing_right",
    "serious",
    "served_at",
    "service_method",
    "pay_by",
    "paid",
    "surcharge",
    "paid_at",
    "archived_at",
)
