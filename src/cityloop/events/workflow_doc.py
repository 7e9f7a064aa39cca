"""docs/workflow.md, written from the transition table (``cityloop workflow_doc``)."""

from __future__ import annotations

from django.utils import translation

from cityloop.events.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_STATES,
    AssignmentState,
    CaseState,
    Stage,
)
from cityloop.events.workflow import PREVIOUS, SAME, TRANSITIONS, Action, Actor
from cityloop.org.choices import Role

HEADER = """# The workflow of a case

Generated from `cityloop.events.workflow.TRANSITIONS` by `cityloop workflow_doc`; a test fails
when this file and the table disagree. Services, API endpoints (`POST /api/cases/{ticket}/<action>`)
and the UI's buttons read the same table.

A case moves only through these actions. Each checks, in this order: the role (403 `role`),
the case's state (409 `state_forbids`), the unit (403 `unit`), and the version the actor saw
(409 `case_changed`). Each appends one history entry. "Stage" is the clock that starts.

"""


def _state(value: str) -> str:
    if value == SAME:
        return "(unchanged)"
    if value == PREVIOUS:
        return "(the state before suspension)"
    return f"{CaseState(value).label} `{value}`"


def workflow_markdown() -> str:
    with translation.override("zh-hans"):
        rows = [
            "| action | 中文 | from | to | roles | who | stage | reason |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for action, t in TRANSITIONS.items():
            zh = str(Action(action).label)
            sources = ", ".join(f"`{s}`" for s in sorted(t.sources))
            roles = ", ".join(f"{Role(r).label} `{r}`" for r in sorted(t.roles))
            stage = "—" if t.stage is None else f"{Stage(t.stage).label} `{t.stage}`"
            with translation.override("en"):
                target = _state(t.target)
                who = str(Actor(t.actor).label)
            rows.append(
                f"| `{action}` | {zh} | {sources} | {target} | {roles} | {who} | {stage} | "
                f"{'required' if t.reason_required else ''} |"
            )
    with translation.override("en"):
        states = "\n".join(f"- `{s.value}`: {s.label}" for s in CaseState)
    return (
        HEADER
        + "## Actions\n\n"
        + "\n".join(rows)
        + "\n\n## States\n\n"
        + states
        + "\n\n"
        + _assignment_states()
    )


def _assignment_states() -> str:
    """A unit's task and its end: the rule ``transitions._end_assignments`` carries."""
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
