"""What each case action does to the case's own fields and to its tasks, written once.

These functions take plain objects with the model's field names (a ``Case`` or anything with
the same attributes; a ``CaseAssignment`` or anything with ``role``, ``state``, ``signed_at``,
``done_at``), change them, and return the details the history entry records. They neither
read nor write the database: the handlers (``services.handlers``) look things up, check the
inputs, call these and save; the demo year (``demo.history.machine``) calls the same ones on
its in-memory cases and writes them in bulk. A rule changed here changes both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.events.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_STATES,
    AssignmentRole,
    AssignmentState,
)


def _active(tasks: Iterable[Any]) -> list[Any]:
    return [a for a in tasks if a.state in ACTIVE_ASSIGNMENT_STATES]


# --- intake, confirmation, filing ---------------------------------------------------------
def accepted(case: Any, now: datetime) -> None:
    """受理."""
    case.accepted_at = now


def confirmed(case: Any, now: datetime) -> None:
    """核实: the report is true on site."""
    case.confirmed_at = now


def filed(case: Any, condition: Any, now: datetime) -> dict:
    """立案 under ``condition`` (it fixes the handling time limit, reference §2.2)."""
    case.filing_condition = condition
    case.filed_at = now
    return {"filing_condition": condition.pk, "time_limit": condition.time_limit}


# --- dispatch and the units' work ---------------------------------------------------------
def dispatch_role(assisting: Sequence[Any]) -> str:
    """The lead's role: 主办 beside assisting units (街道吹哨、部门报到), else the sole unit."""
    return AssignmentRole.LEAD if assisting else AssignmentRole.SINGLE


def dispatched(
    case: Any, now: datetime, *, unit: Any, overridden: bool, assisting: Sequence[Any]
) -> dict:
    """派遣 to ``unit`` (``overridden``: not the unit routing proposed), ``assisting`` the
    assisting units' ids."""
    case.dispatched_at = now
    return {
        "unit": unit.pk,
        "unit_name": unit.name,
        "overridden": overridden,
        "assisting": list(assisting),
    }


def task_deadlines(tasks: Iterable[Any], deadline: datetime | None) -> list[Any]:
    """When the handling clock starts, each unit's own deadline: the lead's is the case's; an
    assistant's too, unless the dispatcher gave it one. Returns the tasks it changed."""
    changed = [a for a in _active(tasks) if a.role != AssignmentRole.ASSIST or a.deadline is None]
    for a in changed:
        a.deadline = deadline
    return changed


def signed(lead: Any, now: datetime) -> None:
    """签收 by the lead unit."""
    lead.state, lead.signed_at = AssignmentState.SIGNED, now


def returned(case: Any, tasks: Iterable[Any], now: datetime) -> list[Any]:
    """退回: the unit says the case is not theirs. Its active tasks end (the lead's returned,
    the assistants' withdrawn), the misrouted case's handling deadline goes (the next unit
    gets its own) and the return is counted. Returns the tasks it changed."""
    ended = _active(tasks)
    for a in ended:
        a.state = (
            AssignmentState.RETURNED
            if a.role != AssignmentRole.ASSIST
            else AssignmentState.WITHDRAWN
        )
        a.done_at = now
    case.handle_deadline = None
    case.return_count += 1
    return ended


def waiting_assistants(tasks: Iterable[Any]) -> list[Any]:
    """The assisting tasks that have not reported: a joint case is fed back after them."""
    return [
        a
        for a in tasks
        if a.role == AssignmentRole.ASSIST and a.state == AssignmentState.DISPATCHED
    ]


def fed_back(case: Any, lead: Any, now: datetime) -> dict:
    """反馈 by the lead unit; on time when before the case's handling deadline."""
    lead.state, lead.done_at = AssignmentState.FED_BACK, now
    case.fed_back_at = now
    return {"on_time": case.handle_deadline is None or now <= case.handle_deadline}


def assist_reported(task: Any, now: datetime) -> dict:
    """An assisting unit's report (协办反馈)."""
    task.state, task.done_at = AssignmentState.REPORTED, now
    return {"unit": task.unit_id}


def rework_task(tasks: Sequence[Any], lead: Any | None) -> Any:
    """Whose work is sent back: the active lead, else the last task that fed back."""
    if lead is not None:
        return lead
    return [a for a in tasks if a.state == AssignmentState.FED_BACK][-1]


def reworked(case: Any, lead: Any) -> None:
    """返工: the check failed; the same unit works again (its clock starts afresh)."""
    lead.state, lead.done_at = AssignmentState.SIGNED, None
    case.rework_count += 1


def closed(case: Any, now: datetime) -> None:
    """结案; 按期结案 when the unit fed back (or, without feedback, the case closed) before
    the case's handling deadline."""
    case.closed_at = now
    case.closed_on_time = (
        case.handle_deadline is None or (case.fed_back_at or now) <= case.handle_deadline
    )


def evaluated(case: Any, score: int, comment: str) -> dict:
    """评价 / 回访: the reporter's satisfaction, 1 to 5."""
    case.satisfaction = score
    case.evaluation_comment = comment
    return {"satisfaction": score}


def urged(case: Any) -> None:
    """督办."""
    case.urge_count += 1


def escalation_reason(unit_name: str) -> str:
    """The new task's routing reason when a case passes to the tier above."""
    return str(
        lazy_format(_("Escalated from %(unit)s, which did not act in time."), {"unit": unit_name})
    )


def escalated(lead: Any, target: Any, now: datetime) -> dict:
    """升级: the lead's task ends as escalated; the history names both units (the caller
    creates the target's task with ``escalation_reason``)."""
    lead.state, lead.done_at = AssignmentState.ESCALATED, now
    return {"unit": target.pk, "unit_name": target.name, "from_unit": lead.unit_id}


# --- requests and their decisions ---------------------------------------------------------
def extended(case: Any, deadline: datetime) -> dict:
    """An approved extension is counted; the history quotes the new deadline (the clock
    moves in ``services.deadlines.clock_extend``)."""
    case.extension_count += 1
    return {"deadline": deadline.isoformat()}


def suspended(case: Any) -> None:
    """挂账: the state to come back to on resuming."""
    case.state_before_suspension = case.state


def resumed(case: Any) -> dict:
    """恢复: the history quotes the deadline the resumed clock counts to."""
    return {"deadline": case.deadline.isoformat() if case.deadline else None}


def cancelled(tasks: Iterable[Any], now: datetime) -> list[Any]:
    """作废 approved: every active task is withdrawn. Returns the tasks it changed."""
    ended = _active(tasks)
    for a in ended:
        a.state, a.done_at = AssignmentState.WITHDRAWN, now
    return ended


def ends_tasks(before: str, after: str) -> bool:
    """A case that leaves the open states (closed, rejected, cancelled, merged) ends every
    task still active on it (``AssignmentState.CLOSED``, keeping the moment it finished)."""
    return before in OPEN_STATES and after not in OPEN_STATES
