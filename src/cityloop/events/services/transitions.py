"""The one way a case moves: ``case_act``.

It locks the case row, checks the version the actor saw (409 if someone acted first), checks
role, unit and state against the transition table, runs the action's own rules
(``handlers``), ends the units' active tasks when the case leaves the open states, starts the
stage clock the table names, bumps the version, appends the history entry with its
attachments, and schedules notifications after the commit. Any refusal raises before anything
is written, and everything is one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import OperationalError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from cityloop.events.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_STATES,
    AssignmentRole,
    AssignmentState,
    CaseState,
    Stage,
)
from cityloop.events.models import Case, CaseEvent
from cityloop.events.services import deadlines
from cityloop.events.services.permissions import check_allowed, lead_assignment
from cityloop.events.services.refusals import BadInput, CaseChanged
from cityloop.events.workflow import PREVIOUS, SAME, TRANSITIONS, Transition
from cityloop.org.choices import UnitKind


@dataclass
class ActionContext:
    """What a handler sees and fills: the locked case, who acts, the inputs, what to record."""

    case: Case
    actor: Any
    transition: Transition
    now: datetime
    params: dict[str, Any]
    comment: str
    data: dict[str, Any] = field(default_factory=dict)
    notices: list = field(default_factory=list)  # (users, kind, message) after commit
    follow_up: str | None = None  # an action the system takes right after this one

    def param(self, name: str, required: bool = True) -> Any:
        value = self.params.get(name)
        if required and value in (None, ""):
            from django.utils.translation import gettext_lazy as _

            raise BadInput(_("This field is required."), field=name, code="missing")
        return value


def case_act(
    *,
    actor: Any,
    case: Case | int,
    action: str,
    version: int | None = None,
    comment: str = "",
    attachments: Sequence[Any] = (),
    now: datetime | None = None,
    actor_label: str = "",
    **params: Any,
) -> Case:
    """Take ``action`` on ``case`` as ``actor`` (None: the system or a citizen by ticket)."""
    try:
        return _act(actor, case, action, version, comment, attachments, now, actor_label, params)
    except OperationalError as exc:  # two opposite merges locking in turn: one loses
        if "deadlock" not in str(exc).lower():
            raise
        raise CaseChanged(current=getattr(case, "version", 0)) from exc


def _act(actor, case, action, version, comment, attachments, now, actor_label, params) -> Case:
    with transaction.atomic():
        locked = _lock(case)
        if version is not None and locked.version != version:
            raise CaseChanged(current=locked.version)
        t = check_allowed(actor, locked, action)
        ctx = ActionContext(locked, actor, t, now or timezone.now(), params, comment.strip())
        _require_reason(ctx)
        event = _apply(ctx, actor_label)
        if attachments:
            from cityloop.events.services.attachments import attachments_save

            attachments_save(
                case=locked, event=event, files=attachments, actor=actor, stage_for=action
            )
        _schedule_notices(ctx)
        if ctx.follow_up:
            case_act(actor=None, case=locked, action=ctx.follow_up, now=ctx.now, actor_label="系统")
    return locked


def system_act(
    *, case: Case | int, action: str, now: datetime | None = None, **params: Any
) -> Case:
    """An action the system takes (sweep, escalation), recorded as the system's."""
    return case_act(actor=None, case=case, action=action, now=now, actor_label="系统", **params)


def _lock(case: Case | int) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "filing_condition", "community", "street")
        .get(pk=pk)
    )
    return locked


def _require_reason(ctx: ActionContext) -> None:
    from django.utils.translation import gettext_lazy as _

    if ctx.transition.reason_required and not ctx.comment and not ctx.params.get("reason"):
        raise BadInput(_("Say why: this action needs a reason."), field="comment", code="missing")


def _apply(ctx: ActionContext, actor_label: str) -> CaseEvent:
    from cityloop.events.services.handlers import HANDLERS

    case, t = ctx.case, ctx.transition
    before = case.state
    handler = HANDLERS.get(t.action)
    if handler is not None:
        handler(ctx)
    case.state = _target(case, t, before)
    if before in OPEN_STATES and case.state not in OPEN_STATES:
        _end_assignments(case, ctx.now)
    if t.stage is not None:
        _start_clock(case, t.stage, ctx.now)
    case.version += 1
    case.save()
    return CaseEvent.objects.create(
        case=case,
        action=t.action,
        from_state=before,
        to_state=case.state,
        actor=ctx.actor,
        actor_unit=getattr(ctx.actor, "unit", None),
        actor_label=actor_label or _label(ctx.actor),
        at=ctx.now,
        comment=ctx.comment,
        data=ctx.data,
    )


def _target(case: Case, t: Transition, before: str) -> str:
    if t.target == SAME:
        return before
    if t.target == PREVIOUS:
        return case.state_before_suspension or CaseState.HANDLING
    return t.target


def _end_assignments(case: Case, now: datetime) -> None:
    """A case that leaves the open states (closed, rejected, cancelled, merged) ends every
    task still active on it (``closed``), with the change: a unit's desk holds open work only.
    ``done_at`` keeps the moment the unit finished (its feedback or report) when it has one."""
    case.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).update(
        state=AssignmentState.CLOSED, done_at=Coalesce("done_at", now)
    )


def _start_clock(case: Case, stage: str, now: datetime) -> None:
    """Start the stage's clock; a social entity gets its short correction limit."""
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
    """Each unit's own deadline: the lead's is the case's; an assistant's, unless given."""
    for a in case.assignments.all():
        if a.is_active and (a.role != AssignmentRole.ASSIST or a.deadline is None):
            a.deadline = case.deadline
            a.save(update_fields=["deadline"])


def _label(actor: Any) -> str:
    if actor is None:
        return "系统"
    unit = getattr(actor, "unit", None)
    name = getattr(actor, "display_name", "") or actor.get_username()
    return f"{unit.display_name} · {name}" if unit else name


def _schedule_notices(ctx: ActionContext) -> None:
    """In-app notifications are written with the change (e-mail follows after the commit)."""
    from cityloop.notifications.services import notify

    for users, kind, message in ctx.notices:
        notify(users=users, kind=kind, message=message, case=ctx.case)


def transition_of(action: str) -> Transition:
    return TRANSITIONS[action]
