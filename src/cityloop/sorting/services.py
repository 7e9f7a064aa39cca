"""Writes of the sorting app: collection tasks' actions (the task workflow, decision 0042)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityloop.core.workflow.engine import ActionContext, Messages, Workflow
from cityloop.core.workflow.history import history_writer
from cityloop.org.choices import Role, UnitKind
from cityloop.sorting.choices import TaskStatus
from cityloop.sorting.models import CollectionTask, CollectionTaskEvent
from cityloop.sorting.workflow import TASK_TRANSITIONS, TaskAction, TaskActor

# --- collection tasks ---------------------------------------------------------------------------

# Besides administrators and the handlers of the task's contractor, dispatchers and inspectors
# of the district or a street may mark a task done or cancelled (the bureau supervises its
# contractors; a community does not).
TASK_UNIT_KINDS = (UnitKind.DISTRICT, UnitKind.STREET)


def _responsible(user, task: CollectionTask, t) -> bool:
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        return True
    if task.contractor_id is not None and user.unit_id == task.contractor_id:
        return user.has_role(Role.HANDLER)
    unit = user.unit
    return (
        unit is not None
        and unit.kind in TASK_UNIT_KINDS
        and user.has_role(Role.DISPATCHER, Role.INSPECTOR)
    )


def _on_complete(ctx: ActionContext) -> None:
    """Done: the bins were emptied, now (the truck's record's time, in ``apply_in_bulk``)."""
    ctx.record.done_at = ctx.now


def _on_cancel(ctx: ActionContext) -> None:
    ctx.record.done_at = None


ONLY_RESPONSIBLE = _(
    "Only the contractor's staff, administrators, and dispatchers and inspectors of the "
    "district or a street may mark a task done or cancelled."
)

TASKS = Workflow(
    name="collection task",
    model=CollectionTask,
    table=TASK_TRANSITIONS,
    handlers={TaskAction.COMPLETE: _on_complete, TaskAction.CANCEL: _on_cancel},
    unit_rules={TaskActor.RESPONSIBLE: _responsible},
    write_history=history_writer(CollectionTaskEvent, "task"),
    role_label=lambda role: Role(role).label if role in Role.values else _("the system"),
    messages=Messages(
        role=ONLY_RESPONSIBLE,
        unit=ONLY_RESPONSIBLE,
        state=_("Only an open task can be marked done or cancelled."),
    ),
    related=("point", "contractor"),
    state_field="status",
)


def task_act(
    *,
    actor: Any,
    task: CollectionTask | int,
    action: str,
    version: int | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> CollectionTask:
    """Mark a collection task done or cancelled as ``actor`` (the task workflow's one write
    path: the row locked, the table's checks, the history row, one transaction)."""
    return TASKS.act(
        actor=actor, record=task, action=action, version=version, comment=comment, now=now
    )


def task_status_action(status: str) -> str:
    """The action that gives a task ``status`` (the API and the page ask by status)."""
    return {TaskStatus.DONE: TaskAction.COMPLETE, TaskStatus.CANCELLED: TaskAction.CANCEL}.get(
        status, ""
    )
