"""The workflow of a collection task 收运任务, declared once on the kernel's table type.

A fill-level or overflow alarm opens a task for the point's contractor (``reactions``); the
task is then done (the bins were emptied: by the contractor's word, or by the truck's own
collection record, which the system reports) or cancelled (a false alarm). Services, the API
(``POST /api/tasks/{id}/status``), the page's buttons and docs/tasks.md read this table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityloop.core.workflow.actors import SYSTEM
from cityloop.core.workflow.table import Table
from cityloop.core.workflow.table import row as _t
from cityloop.org.choices import Role
from cityloop.sorting.choices import TaskStatus


class TaskAction(models.TextChoices):
    COMPLETE = "complete", pgettext_lazy("task action", "Mark done")  # 已收运
    CANCEL = "cancel", pgettext_lazy("task action", "Cancel")  # 误报取消


class TaskActor(models.TextChoices):
    """Whose unit may act on a task."""

    RESPONSIBLE = (
        "responsible",
        _(
            "The task's contractor (its handlers), administrators, or dispatchers and inspectors "
            "of the district or a street"
        ),
    )


S, A, R = TaskStatus, TaskAction, Role
RESPONSIBLE = {R.HANDLER, R.DISPATCHER, R.INSPECTOR, R.ADMINISTRATOR}

TASK_TRANSITIONS = Table(
    [
        _t(A.COMPLETE, {S.OPEN}, S.DONE, {*RESPONSIBLE, SYSTEM}, TaskActor.RESPONSIBLE),
        _t(A.CANCEL, {S.OPEN}, S.CANCELLED, RESPONSIBLE, TaskActor.RESPONSIBLE),
    ],
    states=TaskStatus,
    actions=TaskAction,
    actors=TaskActor,
    roles={*Role.values, SYSTEM},
    reserved={"task"},  # task_act(task=...)
)  # fmt: skip
