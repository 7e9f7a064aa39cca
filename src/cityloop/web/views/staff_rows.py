"""One case as a row of a workbench: what the row shows and the actions it offers."""

from __future__ import annotations

import math

from cityloop.events.models import Case
from cityloop.events.services.transitions import allowed_actions
from cityloop.web.views.staff_common import (
    action_label,
    duplicates_for,
    routing_for,
    state_label,
)

ROW_TEMPLATES = {
    "dispatch": "web/staff/partials/dispatch_row.html",
    "task": "web/staff/partials/task_row.html",
    "inspect": "web/staff/partials/inspect_row.html",
}


def actions_of(user, case: Case) -> list[dict]:
    return [
        {"action": t.action, "label": action_label(t.action)} for t in allowed_actions(user, case)
    ]


def distance_m(lon1, lat1, lon2, lat2) -> float | None:
    """Great-circle distance in metres (haversine), None without both points."""
    if None in (lon1, lat1, lon2, lat2):
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6_371_000 * 2 * math.asin(math.sqrt(a))


def row_context(user, case: Case, row: str, *, here=None) -> dict:
    """The context of one row; ``here`` is the inspector's (lon, lat) when known."""
    actions = actions_of(user, case)
    names = {a["action"] for a in actions}
    context = {
        "case": case,
        "row": row,
        "actions": actions,
        "state_label": state_label(case.state),
    }
    if row == "dispatch":
        context["routing"] = routing_for(case) if names & {"dispatch", "file"} else None
        context["can_dispatch"] = "dispatch" in names
        context["duplicates"] = duplicates_for(user, case) if "merge" in names else []
    if row == "task":
        mine = [a for a in case.assignments.all() if a.unit_id == user.unit_id and a.is_active]
        context["assignment"] = mine[0] if mine else None
    if row == "inspect" and here:
        d = distance_m(here[0], here[1], case.lon, case.lat)
        context["distance_m"] = round(d) if d is not None else None
    return context
