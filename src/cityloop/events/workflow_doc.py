"""docs/workflow.md, written from the case workflow (``cityloop workflow_doc --write``)."""

from __future__ import annotations

from django.utils import translation

from cityloop.core.workflow.docs import reference
from cityloop.events.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_STATES,
    AssignmentState,
    CaseState,
)
from cityloop.events.services.transitions import CASES
from cityloop.events.workflow import TRANSITIONS

HEADER = """# The workflow of a case

Generated from `cityloop.events.workflow.TRANSITIONS` and the kernel's write path
(`cityloop.core.workflow`) by `cityloop workflow_doc`; a test fails when this file and the code
disagree. Services, API endpoints (`POST /api/cases/{ticket}/<action>`) and the UI's buttons read
the same table. Each action appends one history entry; "stage" is the clock that starts. The
system (`system`) and the reporting citizen (`citizen`, holding the report's ticket and key)
act only where a row names them.

"""


def workflow_markdown() -> str:
    return reference(CASES, HEADER, _assignment_states())


def _assignment_states() -> str:
    """A unit's task and its end: the rule ``transitions._on_move`` carries."""
    ending = sorted(
        a
        for a, t in TRANSITIONS.items()
        if t.sources & OPEN_STATES and t.target in CaseState.values and t.target not in OPEN_STATES
    )
    with translation.override("en"):
        lines = [
            f"- `{s.value}`: {s.label}{' (active)' if s in ACTIVE_ASSIGNMENT_STATES else ''}"
            for s in AssignmentState
        ]
    return (
        "## Assignment states (a unit's task)\n\n"
        "An active task puts the case on its unit's desk (`/tasks/`) and lets the unit act on "
        "it. Only an open case has active tasks: an action that takes the case out of the open "
        f"states ({', '.join(f'`{a}`' for a in ending)}) ends every task still active on it as "
        "`closed`, in the same transaction (`approve_cancel` has withdrawn them already: "
        "`withdrawn`).\n\n" + "\n".join(lines) + "\n"
    )


DOCS = [("docs/workflow.md", workflow_markdown)]
