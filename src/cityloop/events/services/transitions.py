"""The one way a case moves: ``case_act``, the case workflow on the kernel's write path.

``CASES`` is the kernel's ``Workflow`` for ``Case``: the table (``events.workflow``), the rules
of each action (``handlers``), whose unit may act (``permissions.UNIT_RULES``), the case's
clocks, and its history (``CaseEvent``). On top of the kernel's steps a case ends its units'
active tasks when it leaves the open states, starts the stage clock the table names (a social
entity gets its short correction limit), saves the attachments with the history entry and
writes its notifications with the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cityloop.core.workflow.actors import SystemActor, user_of
from cityloop.core.workflow.engine import ActionContext, Messages, Workflow
from cityloop.core.workflow.history import history_writer
from cityloop.events import rules
from cityloop.events.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    AssignmentState,
    CaseState,
    Stage,
)
from cityloop.events.models import Case, CaseEvent
from cityloop.events.services import deadlines
from cityloop.events.services.attachments import attachments_save
from cityloop.events.services.handlers import HANDLERS
from cityloop.events.services.permissions import UNIT_RULES, lead_assignment, role_label
from cityloop.events.services.refusals import CaseChanged
from cityloop.events.workflow import TRANSITIONS, Transition
from cityloop.notifications.services import notify
from cityloop.org.choices import UnitKind


def _on_move(ctx: ActionContext, before: str) -> None:
    """A case that leaves the open states (closed, rejected, cancelled, merged) ends every
    task still active on it (``closed``), with the change: a unit's desk holds open work only.
    ``done_at`` keeps the moment the unit finished (its feedback or report) when it has one."""
    case = ctx.record
    if rules.ends_tasks(before, case.state):
        case.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).update(
            state=AssignmentState.CLOSED, done_at=Coalesce("done_at", ctx.now)
        )


def _start_clock(ctx: ActionContext) -> None:
    """Start the stage's clock; a social entity gets its short correction limit."""
    case, stage, now = ctx.record, ctx.transition.stage, ctx.now
    unit = None
    if stage == Stage.HANDLE:
        lead = lead_assignment(case)
        unit = lead.unit if lead else None
    deadlines.clock_start(case=case, stage=stage, now=now, unit=unit)
    if unit is not None and unit.kind == UnitKind.SOCIAL_ENTITY:
        deadlines.clock_cap_for_entity(case=case, now=now, unit=unit)
    if stage == Stage.HANDLE:
        _assignment_deadlines(case)


def _assignment_deadlines(case: Case) -> None:
    """Each unit's own deadline (``rules.task_deadlines``), saved."""
    for a in rules.task_deadlines(case.assignments.all(), case.deadline):
        a.save(update_fields=["deadline"])


def _attach(ctx: ActionContext, event: CaseEvent, files: Sequence[Any]) -> None:
    attachments_save(
        case=ctx.record,
        event=event,
        files=files,
        actor=user_of(ctx.actor),
        stage_for=ctx.transition.action,
    )


def _notify(ctx: ActionContext) -> None:
    """In-app notifications are written with the change (e-mail follows after the commit)."""
    for users, kind, message in ctx.notices:
        notify(users=users, kind=kind, message=message, case=ctx.record)


CASES = Workflow(
    name="case",
    model=Case,
    table=TRANSITIONS,
    handlers=HANDLERS,
    unit_rules=UNIT_RULES,
    write_history=history_writer(CaseEvent, "case"),
    role_label=role_label,
    messages=Messages(
        role=_("Only %(roles)s may %(action)s a case."),
        state=_("A case that is “%(state)s” cannot be given “%(action)s”."),
        unit=_("Your unit cannot %(action)s this case: %(who)s."),
    ),
    related=("category", "filing_condition", "community", "street"),
    previous_state=lambda case: case.state_before_suspension or CaseState.HANDLING,
    on_move=_on_move,
    start_clock=_start_clock,
    attach=_attach,
    notify=_notify,
    changed=CaseChanged,
)


def case_act(
    *,
    actor: Any,
    case: Case | int,
    action: str,
    version: int | None = None,
    comment: str = "",
    attachments: Sequence[Any] = (),
    now: datetime | None = None,
    **params: Any,
) -> Case:
    """Take ``action`` on ``case`` as ``actor``: a user, ``SystemActor()`` or
    ``CitizenActor(case.pk)`` (``core.workflow.actors``)."""
    return CASES.act(
        actor=actor,
        record=case,
        action=action,
        version=version,
        comment=comment,
        attachments=attachments,
        now=now,
        **params,
    )


def system_act(
    *, case: Case | int, action: str, now: datetime | None = None, **params: Any
) -> Case:
    """An action the system takes (the sweep's escalation), recorded as the system's."""
    return case_act(actor=SystemActor(), case=case, action=action, now=now, **params)


def allowed_actions(actor: Any, case: Case) -> list[Transition]:
    """The actions ``actor`` may take on ``case`` now (the pages show exactly these)."""
    return CASES.allowed_actions(actor, case)
