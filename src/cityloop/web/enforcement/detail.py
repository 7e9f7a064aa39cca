"""One enforcement case as its pages show it: facts, the party (masked unless
``selectors.may_see_identity``), the violation and its version, the clocks, evidence,
documents, the timeline and the actions the user may take now."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cityloop.enforcement.choices import ClockKind, ClockState, EvidenceKind, PartyKind
from cityloop.enforcement.models import CaseClock, EnforcementCase, EnforcementEvent
from cityloop.enforcement.selectors import cases_visible_to, may_see_identity
from cityloop.enforcement.services import CASES
from cityloop.enforcement.workflow import Action
from cityloop.org.codes import mask_identity, mask_phone
from cityloop.web.enforcement.labels import action_label, document_label, state_label

CLOCK_ACTIONS = {Action.SUSPEND_CLOCK, Action.RESUME_CLOCK, Action.EXTEND}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic"}
SUSPENDED = "suspended"
CLOCK_LABELS = {
    ClockState.RUNNING: ClockState.RUNNING.label,
    ClockState.WARNING: ClockState.WARNING.label,
    ClockState.OVERDUE: ClockState.OVERDUE.label,
    ClockState.STOPPED: ClockState.STOPPED.label,
    SUSPENDED: _("Suspended"),
}


def visible_case(user, number: str) -> EnforcementCase:
    """The case by number among ``selectors.cases_visible_to(user)``, 404 alike for
    "missing" and "not yours"."""
    cases = cases_visible_to(user).select_related("unit", "party", "violation", "source_case")
    found = cases.filter(number=number).first()
    if found is None:
        raise Http404(EnforcementCase._meta.verbose_name)
    return found


def clock_status(clock: CaseClock, now: datetime) -> str:
    """The clock's state now (not waiting for the sweep): stopped, suspended, overdue, due
    soon or running."""
    if clock.stopped_at is not None:
        return ClockState.STOPPED
    if clock.suspended_at is not None:
        return SUSPENDED
    if now >= clock.deadline:
        return ClockState.OVERDUE
    if clock.warn_at is not None and now >= clock.warn_at:
        return ClockState.WARNING
    return ClockState.RUNNING


def clock_row(clock: CaseClock, now: datetime) -> dict:
    status = clock_status(clock, now)
    return {
        "kind": ClockKind(clock.kind).label if clock.kind in ClockKind.values else clock.kind,
        "article": clock.article,
        "started_at": clock.started_at,
        "deadline": clock.deadline,
        "warn_at": clock.warn_at,
        "status": status,
        "status_label": CLOCK_LABELS[status],
        "extended_days": clock.extended_days,
        "provisional": clock.provisional_year,
    }


def nearest_clock(case: EnforcementCase, now: datetime) -> dict | None:
    """The running clock whose deadline comes first (rows prefetch ``live_clocks``)."""
    live = [c for c in getattr(case, "live_clocks", []) if c.suspended_at is None]
    return clock_row(live[0], now) if live else None


def party_of(user, case: EnforcementCase) -> dict | None:
    party = case.party
    if party is None:
        return None
    whole = may_see_identity(user, case)
    identity = party.id_number or party.credit_code
    return {
        "name": party.name,
        "kind": PartyKind(party.kind).label,
        "is_person": party.kind == PartyKind.PERSON,
        "identity": identity if whole else mask_identity(identity),
        "phone": party.phone if whole else mask_phone(party.phone),
        "address": party.address,
        "legal_representative": party.legal_representative,
        "masked": not whole,
    }


def _is_image(item) -> bool:
    if not item.file:
        return False
    return item.kind == EvidenceKind.PHOTO or PurePath(item.file.name).suffix.lower() in (
        IMAGE_SUFFIXES
    )


def evidence_of(case: EnforcementCase) -> list[dict]:
    return [
        {
            "pk": e.pk,
            "number": e.number,
            "kind": e.get_kind_display(),
            "description": e.description,
            "collected_at": e.collected_at,
            "has_file": bool(e.file),
            "is_image": _is_image(e),
            "sha256": e.sha256,
            "sealed": bool(e.chain_digest),
        }
        for e in case.evidence.order_by("number")
    ]


def documents_of(case: EnforcementCase) -> list[dict]:
    return [
        {
            "pk": d.pk,
            "label": document_label(d.kind),
            "number": d.number,
            "revision": d.revision,
            "issued_at": d.issued_at,
            "sha256": d.docx_sha256,
        }
        for d in case.documents.order_by("issued_at", "id")
    ]


def timeline(case: EnforcementCase) -> list[dict]:
    """The case's history as staff read it: who, which unit, when, from → to, why."""
    events = (
        EnforcementEvent.objects.filter(case=case).select_related("actor_unit").order_by("at", "id")
    )
    return [
        {
            "action": action_label(e.action),
            "code": e.action,
            "actor": e.actor_label,
            "unit": e.actor_unit.name if e.actor_unit_id else "",
            "at": e.at,
            "from": state_label(e.from_state) if e.from_state else "",
            "to": state_label(e.to_state),
            "comment": e.comment,
            "documents": [
                {"label": document_label(d.get("kind", "")), "number": d.get("number", "")}
                for d in (e.data or {}).get("documents", [])
            ],
            "evidence": [str(x.get("number")) for x in _evidence_items(e.data)],
        }
        for e in events
    ]


def _evidence_items(data) -> list[dict]:
    items = (data or {}).get("evidence")
    return items if isinstance(items, list) else []


def _decision_clock(case: EnforcementCase) -> CaseClock | None:
    live = getattr(case, "live_clocks", None)  # prefetched by the rows
    if live is None:
        live = case.clocks.filter(stopped_at__isnull=True)
    return next((c for c in live if c.kind == ClockKind.DECISION), None)


def _offered(action: str, case: EnforcementCase) -> bool:
    """The 90-day clock's acts only where they can work: suspend or extend a running clock,
    resume a suspended one (the handlers refuse the others)."""
    if action not in CLOCK_ACTIONS:
        return True
    clock = _decision_clock(case)
    if clock is None:
        return False
    suspended = clock.suspended_at is not None
    return {Action.SUSPEND_CLOCK: not suspended, Action.RESUME_CLOCK: suspended}.get(
        action, not suspended
    )


def actions_of(user, case: EnforcementCase) -> list[dict]:
    """The actions ``user`` may take on ``case`` now (the table's checks), less the clock's
    acts that its state rules out."""
    return [
        {"action": t.action, "label": action_label(t.action)}
        for t in CASES.allowed_actions(user, case)
        if _offered(t.action, case)
    ]


def detail_context(user, case: EnforcementCase, now: datetime) -> dict:
    clocks = case.clocks.order_by("started_at", "id")
    return {
        "case": case,
        "state_label": state_label(case.state),
        "party": party_of(user, case),
        "officers": list(case.officers.order_by("display_name", "username")),
        "clocks": [clock_row(c, now) for c in clocks],
        "evidence": evidence_of(case),
        "documents": documents_of(case),
        "events": timeline(case),
        "actions": actions_of(user, case),
        "payments": list(case.payments.order_by("paid_at", "id")),
    }
