"""docs/tasks.md, written from the collection-task workflow (``cityloop workflow_doc --write``)."""

from __future__ import annotations

from cityloop.core.workflow.docs import reference
from cityloop.sorting.services import TASKS

HEADER = """# The workflow of a collection task 收运任务

Generated from `cityloop.sorting.workflow.TASK_TRANSITIONS` and the kernel's write path
(`cityloop.core.workflow`) by `cityloop workflow_doc --write`; a test fails when this file and
the code disagree. A fill-level or overflow alarm opens a task for the point's contractor
(docs/devices.md, From data to action); the API (`POST /api/tasks/{id}/status` with `done` or
`cancelled`), the page `/sorting/tasks/` and the truck's own collection record (the system,
`system`) move it through these actions only, each with a history entry
(`CollectionTaskEvent`, shown on the task's page `/sorting/tasks/<id>/`). A member of staff
acts only on a task they can see (404 otherwise).

"""


def tasks_markdown() -> str:
    return reference(TASKS, HEADER)


DOCS = [("docs/tasks.md", tasks_markdown)]
