"""What the staff pages share: role gates, fetching one visible case, the case's context."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch

from cityloop.core.scoping import get_visible_or_404
from cityloop.events.choices import AssignmentRole, AssignmentState, CaseState, ClockEvent
from cityloop.events.models import Attachment, Case, CaseEvent
from cityloop.events.presenters import case_detail
from cityloop.events.selectors.duplicates import duplicate_candidates
from cityloop.events.selectors.routing import route_proposal
from cityloop.events.workflow import Action
from cityloop.org.choices import Role
from cityloop.web.maps import map_config

CENTRE_ROLES = (Role.ACCEPTOR, Role.DISPATCHER, Role.SHIFT_LEADER)
# Where a case can still be routed, and where a duplicate can still be merged.
ROUTABLE_STATES = {CaseState.ACCEPTED, CaseState.FILED}
MERGEABLE_STATES = {CaseState.REPORTED, CaseState.ACCEPTED, CaseState.CONFIRMING, CaseState.FILED}


def roles_required(*roles: str) -> Callable:
    """Logged in (else the login page) and holding one of ``roles`` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            user = request.user
            if roles and not (user.is_superuser or user.has_role(*roles)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def staff_cases():
    """Cases with what their rows and the permission checks read, prefetched."""
    return Case.objects.select_related(
        "category", "category__major", "street", "community", "grid", "filing_condition"
    ).prefetch_related("assignments__unit")


def visible_case(user, ticket: str) -> Case:
    """The case by ticket, 404 alike for "missing" and "not yours"."""
    return get_visible_or_404(staff_cases().select_related("merged_into"), user, ticket=ticket)


def state_label(state: str) -> str:
    return str(CaseState(state).label) if state in CaseState.values else state


def action_label(action: str) -> str:
    if action == "report":  # the history's first entry
        return str(CaseState.REPORTED.label)
    for choices in (Action, ClockEvent):
        if action in choices.values:
            return str(choices(action).label)
    return str(CaseState(action).label) if action in CaseState.values else action


def timeline(case: Case) -> list[dict]:
    """The history as staff read it: who, which unit, when, from → to, why, with photos."""
    events = (
        CaseEvent.objects.filter(case=case)
        .select_related("actor_unit")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("at", "id")
    )
    return [
        {
            "action": action_label(e.action),
            "actor": e.actor_label,
            "unit": e.actor_unit.name if e.actor_unit_id else "",
            "at": e.at,
            "from": state_label(e.from_state) if e.from_state else "",
            "to": state_label(e.to_state),
            "comment": e.comment,
            "photos": list(e.attachments.all()),
        }
        for e in events
    ]


def routing_for(case: Case):
    """The routing proposal while the case can still be dispatched, else None."""
    if case.state not in ROUTABLE_STATES or case.category_id is None:
        return None
    return route_proposal(case)


def duplicates_for(user, case: Case) -> list[dict]:
    """Candidate duplicates this user may see, while the case can still be merged."""
    if case.state not in MERGEABLE_STATES:
        return []
    return [
        {"case": c, "distance_m": round(d), "state": state_label(c.state)}
        for c, d in duplicate_candidates(case, user=user)
    ]


def detail_context(user, case: Case) -> dict:
    detail = case_detail(user, case)
    actions = {a["action"] for a in detail["actions"]}
    return {
        "case": case,
        "detail": detail,
        "state_label": state_label(case.state),
        "events": timeline(case),
        "assignments": [
            {
                "unit": a.unit.name,
                "role": AssignmentRole(a.role).label,
                "state": AssignmentState(a.state).label,
                "is_active": a.is_active,
                "task": a.task,
                "deadline": a.deadline,
                "reason": a.routing_reason,
            }
            for a in case.assignments.all()
        ],
        "photos": list(case.attachments.order_by("created_at", "id")),
        "routing": routing_for(case) if actions & {"dispatch", "file"} else None,
        "duplicates": duplicates_for(user, case) if "merge" in actions else [],
        "map": map_config(),
        "map_point": {"lon": case.lon, "lat": case.lat, "ticket": case.ticket}
        if case.lon is not None
        else None,
    }
