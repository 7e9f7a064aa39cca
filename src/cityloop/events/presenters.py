"""How a case is shown: to staff (with the actions they may take) and to the public."""

from __future__ import annotations

from cityloop.events.choices import DONE_STATES, ENDED_STATES, CaseState
from cityloop.events.models import Case, CaseEvent
from cityloop.events.selectors import reporter_view
from cityloop.events.services.transitions import allowed_actions
from cityloop.events.workflow import Action


def _category(case: Case) -> dict | None:
    c = case.category
    if c is None:
        return None
    return {"id": c.pk, "code": f"{c.major.kind}-{c.major.code}-{c.code}", "name": c.name}


def case_summary(case: Case) -> dict:
    return {
        "ticket": case.ticket,
        "source": case.source,
        "category": _category(case),
        "description": case.description,
        "address": case.address,
        "lon": case.lon,
        "lat": case.lat,
        "street": case.street.name if case.street_id else None,
        "community": case.community.name if case.community_id else None,
        "state": case.state,
        "stage": case.stage,
        "deadline": case.deadline,
        "deadline_provisional": case.is_deadline_provisional,
        "clock_state": case.clock_state,
        "reported_at": case.reported_at,
        "version": case.version,
    }


def case_detail(user, case: Case) -> dict:
    condition = case.filing_condition
    assignments = case.assignments.select_related("unit")
    return {
        **case_summary(case),
        "urgency": case.urgency,
        "external_id": case.external_id,
        "grid": case.grid.code if case.grid_id else None,
        "area_class": case.area_class,
        "reporter": reporter_view(user, case),
        "filing_condition": None
        if condition is None
        else {
            "id": condition.pk,
            "filing_condition": condition.filing_condition,
            "closing_condition": condition.closing_condition,
            "time_limit": condition.time_limit,
        },
        "handle_deadline": case.handle_deadline,
        "warn_at": case.warn_at,
        "merged_into": case.merged_into.ticket if case.merged_into_id else None,
        "counters": {
            "rework": case.rework_count,
            "urge": case.urge_count,
            "extension": case.extension_count,
            "return": case.return_count,
        },
        "milestones": {
            name: getattr(case, f"{name}_at")
            for name in (
                "reported",
                "accepted",
                "confirmed",
                "filed",
                "dispatched",
                "fed_back",
                "closed",
            )
        },
        "satisfaction": case.satisfaction,
        "assignments": [
            {
                "unit": {"id": a.unit_id, "name": a.unit.name, "kind": a.unit.kind},
                "role": a.role,
                "state": a.state,
                "task": a.task,
                "deadline": a.deadline,
                "routing_reason": a.routing_reason,
                "dispatched_at": a.dispatched_at,
                "signed_at": a.signed_at,
                "done_at": a.done_at,
            }
            for a in assignments
        ],
        "duplicates": _duplicates(user, case),
        "actions": [
            {
                "action": t.action,
                "label": str(Action(t.action).label),
                "reason_required": t.reason_required,
            }
            for t in allowed_actions(user, case)
        ],
    }


def _duplicates(user, case: Case) -> list[dict]:
    """Likely duplicates the user may see, shown while the case can still be merged."""
    from cityloop.events.selectors.duplicates import duplicate_candidates
    from cityloop.events.workflow import BEFORE_DISPATCH

    if case.state not in BEFORE_DISPATCH:
        return []
    return [
        {"ticket": c.ticket, "distance_m": round(d, 1)}
        for c, d in duplicate_candidates(case, user=user)
    ]


def event_out(event: CaseEvent) -> dict:
    return {
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": event.actor_label,
        "at": event.at,
        "comment": event.comment,
        "data": event.data,
        "attachments": list(event.attachments.all()),
    }


PUBLIC_STEPS = {
    "report": "reported",
    "accept": "accepted",
    "file": "filed",
    "dispatch": "dispatched",
    "feed_back": "fed_back",
    "close": "closed",
    "evaluate": "evaluated",
    "reject": "rejected",
    "refute": "rejected",
    "approve_cancel": "cancelled",
    "merge": "merged",
}


def public_case(case: Case, asked: str) -> dict:
    """What anyone with the ticket sees: no names, no phones, no staff; photos without EXIF."""
    steps = [
        {
            "step": PUBLIC_STEPS[e.action],
            "label": str(CaseState(PUBLIC_STEPS[e.action]).label),
            "at": e.at,
        }
        for e in case.events.filter(action__in=PUBLIC_STEPS).order_by("at", "id")
    ]
    photos = [
        {"id": a.pk, "stage": a.stage}
        for a in case.attachments.exclude(public_file="").order_by("created_at", "id")
    ]
    return {
        "ticket": case.ticket,
        "asked": asked,
        "merged": asked != case.ticket,
        "category": case.category.name if case.category_id else None,
        "description": case.description,
        "address": case.address,
        "street": case.street.name if case.street_id else None,
        "state": case.state,
        "state_label": str(CaseState(case.state).label),
        "is_done": case.state in DONE_STATES,
        "is_ended": case.state in ENDED_STATES,
        "can_rate": case.state == CaseState.CLOSED and asked == case.ticket,
        "satisfaction": case.satisfaction,
        "reported_at": case.reported_at,
        "closed_at": case.closed_at,
        "steps": steps,
        "photos": photos,
    }
