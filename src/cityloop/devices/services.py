"""Writes of the device registry, and collection tasks' actions (the task workflow)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.core.workflow.engine import ActionContext, Messages, Workflow
from cityloop.core.workflow.history import history_writer
from cityloop.devices import tokens
from cityloop.devices.choices import TaskStatus
from cityloop.devices.models import CollectionPoint, CollectionTask, CollectionTaskEvent, Device
from cityloop.devices.workflow import TASK_TRANSITIONS, TaskAction, TaskActor
from cityloop.org.choices import Role, UnitKind


@transaction.atomic
def device_create(
    *,
    code: str,
    kind: str,
    point: CollectionPoint | None = None,
    truck_plate: str = "",
    name: str = "",
    gateway: Device | None = None,
) -> tuple[Device, str]:
    """Register a device (docs/devices.md, registries); returns it and its token, which is
    shown only now."""
    key, prefix, digest = tokens.new_token()
    device = Device(
        code=code,
        kind=kind,
        point=point,
        truck_plate=truck_plate,
        name=name,
        gateway=gateway,
        token_prefix=prefix,
        token_hash=digest,
    )
    device.full_clean()
    device.save()
    return device, key


@transaction.atomic
def device_token_reset(*, device: Device) -> str:
    """Replace a device's token (a lost or leaked one); the old one stops working at once."""
    key, prefix, digest = tokens.new_token()
    Device.objects.filter(pk=device.pk).update(token_prefix=prefix, token_hash=digest)
    device.token_prefix, device.token_hash = prefix, digest
    return key


@transaction.atomic
def device_update(*, device: Device) -> Device:
    """Save a device's edited registry fields (name, place, gateway, vendor keys, enabled); the
    token and last-seen time are not touched here."""
    if device.vendor_keys is None:  # (a cleared form field)
        device.vendor_keys = {}
    device.full_clean()
    fields = ["code", "name", "kind", "point", "truck_plate", "gateway", "vendor_keys"]
    device.save(update_fields=[*fields, "is_active"])
    return device


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
