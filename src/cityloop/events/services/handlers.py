"""The rules of each action beyond the state change (the transition table does the rest).

Each handler gets the locked case in the kernel's ``ActionContext`` (``ctx.record``) and the
action's inputs as its row declares them, already checked (``ctx.params``); it applies the
rules that need the case or the database (raising ``BadInput`` on the field), changes the case
and its assignments, records details for the history entry in ``ctx.data`` and queues
notifications in ``ctx.notices``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cityloop.categories.models import FilingCondition, MinorCategory
from cityloop.core.i18n import lazy_format
from cityloop.core.workflow.actors import is_explicit, user_of
from cityloop.core.workflow.engine import ActionContext
from cityloop.events import rules
from cityloop.events.choices import (
    OPEN_STATES,
    AssignmentRole,
    AssignmentState,
    RejectReason,
    RequestKind,
    RequestStatus,
    Source,
)
from cityloop.events.models import Case, CaseAssignment, CaseRequest
from cityloop.events.selectors.recipients import centre_staff, field_inspectors, unit_staff
from cityloop.events.selectors.routing import route_proposal
from cityloop.events.services import deadlines
from cityloop.events.services.permissions import active_assignment, lead_assignment
from cityloop.events.services.refusals import BadInput
from cityloop.events.workflow import Action
from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import Unit

DEFAULT_CONFIRM_SOURCES = (Source.CITIZEN, Source.HOTLINE, Source.OPEN311)


def needs_confirmation(case: Case) -> bool:
    """Public reports (CITYLOOP_CONFIRM_SOURCES), and reports of a category that asks for it,
    are confirmed on site before filing."""
    sources = getattr(settings, "CITYLOOP_CONFIRM_SOURCES", DEFAULT_CONFIRM_SOURCES)
    by_category = case.category is not None and case.category.requires_confirmation
    return (case.source in sources or by_category) and case.confirmed_at is None


# --- intake, confirmation, filing ---------------------------------------------------------
def on_accept(ctx: ActionContext) -> None:
    rules.accepted(ctx.record, ctx.now)
    if needs_confirmation(ctx.record):
        ctx.follow_up = Action.REQUEST_CONFIRMATION


def on_reject(ctx: ActionContext) -> None:
    ctx.data["reason"] = ctx.params["reason"]  # one of RejectReason (the row's input)


def on_request_confirmation(ctx: ActionContext) -> None:
    ctx.notices.append(
        (
            field_inspectors(ctx.record),
            "confirm",
            lazy_format(
                _("Please confirm case %(ticket)s on site."), {"ticket": ctx.record.ticket}
            ),
        )
    )


def on_confirm(ctx: ActionContext) -> None:
    rules.confirmed(ctx.record, ctx.now)


def on_refute(ctx: ActionContext) -> None:
    ctx.data["reason"] = RejectReason.NOT_FOUND_ON_SITE


def on_file(ctx: ActionContext) -> None:
    """立案: the operator picks the filing condition that is met; it fixes the closing
    condition and the handling time limit (reference §2.2)."""
    case = ctx.record
    if needs_confirmation(case):
        raise BadInput(
            _("This report must be confirmed on site before it is filed."),
            field="state",
            code="unconfirmed",
        )
    if ctx.params["category"] is not None:
        case.category = MinorCategory.objects.filter(
            pk=ctx.params["category"], is_active=True
        ).first()
        if case.category is None:
            raise BadInput(_("No active category has this id."), field="category", code="not_found")
    condition = (
        FilingCondition.objects.filter(pk=ctx.params["filing_condition"])
        .select_related("minor")
        .first()
    )
    if condition is None or case.category is None or condition.minor_id != case.category_id:
        raise BadInput(
            _("Choose one of the filing conditions of the case's category."),
            field="filing_condition",
            code="invalid_choice",
        )
    ctx.data.update(rules.filed(case, condition, ctx.now))


# --- dispatch and the units' work ---------------------------------------------------------
def _unit(value, field_name: str, ctx: ActionContext | None = None) -> Unit:
    """A unit a case may go to; a street's dispatcher sends only within its street or to a
    department (街道吹哨、部门报到)."""
    unit = Unit.objects.filter(pk=value, is_active=True).first() if value else None
    if unit is None or unit.kind == UnitKind.DISTRICT:
        raise BadInput(
            _("Choose a street, community, social entity or department."),
            field=field_name,
            code="invalid_choice",
        )
    own = getattr(getattr(ctx, "actor", None), "unit", None)
    if (
        own is not None
        and own.kind == UnitKind.STREET
        and unit.kind != UnitKind.DEPARTMENT
        and not unit.is_within(own)
    ):
        raise BadInput(
            _("A street dispatches within its own street, or to a department."),
            field=field_name,
            code="invalid_choice",
        )
    return unit


def on_dispatch(ctx: ActionContext) -> None:
    """派遣, or 街道吹哨、部门报到 when assisting units are named: a lead unit and assisting
    units, each with its own task and deadline."""
    case = ctx.record
    proposal = route_proposal(case)
    lead_unit = _unit(ctx.params.get("unit") or proposal.unit.pk, "unit", ctx)
    assisting = ctx.params["assisting"]
    role = rules.dispatch_role(assisting)
    reason = proposal.reason if lead_unit.pk == proposal.unit.pk else ctx.comment
    CaseAssignment.objects.create(
        case=case,
        unit=lead_unit,
        role=role,
        task=ctx.params["task"],
        routing_reason=str(reason),
        dispatched_at=ctx.now,
    )
    for n, item in enumerate(assisting):
        _assist(ctx, item, n)
    ctx.data.update(
        rules.dispatched(
            case,
            ctx.now,
            unit=lead_unit,
            overridden=lead_unit.pk != proposal.unit.pk,
            assisting=[a.get("unit") for a in assisting],
        )
    )
    ctx.notices.append(
        (
            unit_staff(lead_unit, Role.HANDLER),
            "dispatched",
            lazy_format(_("Case %(ticket)s was dispatched to your unit."), {"ticket": case.ticket}),
        )
    )


def _assist(ctx: ActionContext, item: dict, n: int) -> None:
    unit = _unit(item.get("unit"), f"assisting.{n}.unit", ctx)
    deadline = item["deadline"]  # aware or None (the row's input)
    if deadline is not None and deadline <= ctx.now:
        raise BadInput(
            _("The assisting units' deadline must lie in the future."),
            field=f"assisting.{n}.deadline",
            code="range",
        )
    CaseAssignment.objects.create(
        case=ctx.record,
        unit=unit,
        role=AssignmentRole.ASSIST,
        task=item["task"],
        deadline=deadline,
        dispatched_at=ctx.now,
    )
    ctx.notices.append(
        (
            unit_staff(unit, Role.HANDLER),
            "summoned",
            lazy_format(
                _("Your unit is summoned to assist on case %(ticket)s."),
                {"ticket": ctx.record.ticket},
            ),
        )
    )


def _lead(ctx: ActionContext) -> CaseAssignment:
    lead = lead_assignment(ctx.record)
    if lead is None:  # the table's actor check makes this unreachable for staff
        raise BadInput(_("The case has no handling unit."), field="state", code="no_assignment")
    return lead


def on_sign(ctx: ActionContext) -> None:
    lead = _lead(ctx)
    rules.signed(lead, ctx.now)
    lead.save(update_fields=["state", "signed_at"])


def _withdraw_requests(ctx: ActionContext) -> None:
    """Pending extension and suspension requests go with the unit that no longer has the case."""
    pending = ctx.record.requests.filter(
        kind__in=[RequestKind.EXTENSION, RequestKind.SUSPENSION], status=RequestStatus.PENDING
    )
    pending.update(status=RequestStatus.WITHDRAWN, decided_at=ctx.now)


def on_return(ctx: ActionContext) -> None:
    """退回: the unit says the case is not theirs; back to the dispatcher with the reason."""
    _withdraw_requests(ctx)
    for a in rules.returned(ctx.record, ctx.record.assignments.all(), ctx.now):
        a.save(update_fields=["state", "done_at"])
    ctx.notices.append(
        (
            centre_staff(Role.DISPATCHER),
            "returned",
            lazy_format(
                _("Case %(ticket)s was returned: %(reason)s"),
                {"ticket": ctx.record.ticket, "reason": ctx.comment},
            ),
        )
    )


def on_feed_back(ctx: ActionContext) -> None:
    """反馈: the lead unit reports the result; a joint case also needs every assisting report."""
    waiting = [
        a.unit.name for a in rules.waiting_assistants(ctx.record.assignments.select_related("unit"))
    ]
    if waiting:
        raise BadInput(
            lazy_format(
                _("Assisting units have not reported yet: %(units)s."),
                {"units": "、".join(waiting)},
            ),
            field="state",
            code="assist_pending",
        )
    lead = _lead(ctx)
    ctx.data.update(rules.fed_back(ctx.record, lead, ctx.now))
    lead.save(update_fields=["state", "done_at"])
    _withdraw_requests(ctx)
    ctx.notices.append(
        (
            field_inspectors(ctx.record),
            "verify",
            lazy_format(
                _("Please check the result of case %(ticket)s on site."),
                {"ticket": ctx.record.ticket},
            ),
        )
    )


def on_assist_report(ctx: ActionContext) -> None:
    mine = active_assignment(ctx.record, ctx.actor.unit_id, {AssignmentRole.ASSIST})
    if mine.state == AssignmentState.REPORTED:
        raise BadInput(
            _("Your unit has already reported on this case."),
            field="state",
            code="already_reported",
        )
    ctx.data.update(rules.assist_reported(mine, ctx.now))
    mine.save(update_fields=["state", "done_at"])


def on_rework(ctx: ActionContext) -> None:
    """返工: the check failed; back to the same unit with a fresh handling clock."""
    lead = lead_assignment(ctx.record) or rules.rework_task(
        list(ctx.record.assignments.filter(state=AssignmentState.FED_BACK).order_by("id")), None
    )
    rules.reworked(ctx.record, lead)
    lead.save(update_fields=["state", "done_at"])
    ctx.notices.append(
        (
            unit_staff(lead.unit, Role.HANDLER),
            "rework",
            lazy_format(
                _("Case %(ticket)s must be reworked: %(reason)s"),
                {"ticket": ctx.record.ticket, "reason": ctx.comment},
            ),
        )
    )


def on_close(ctx: ActionContext) -> None:
    rules.closed(ctx.record, ctx.now)


def on_evaluate(ctx: ActionContext) -> None:
    """评价 / 回访: the reporter's satisfaction, 1 (very unsatisfied) to 5 (very satisfied;
    the row's input checks the range)."""
    ctx.data.update(rules.evaluated(ctx.record, ctx.params["satisfaction"], ctx.comment))


# --- requests and their decisions ---------------------------------------------------------
def _request(ctx: ActionContext, kind: str, **fields) -> CaseRequest:
    if ctx.record.requests.filter(kind=kind, status=RequestStatus.PENDING).exists():
        raise BadInput(
            _("A request of this kind is already waiting for a decision."),
            field="state",
            code="pending",
        )
    request = CaseRequest.objects.create(
        case=ctx.record,
        kind=kind,
        reason=ctx.comment,  # the row requires one
        requested_by=user_of(ctx.actor),
        requested_at=ctx.now,
        **fields,
    )
    ctx.data["request"] = request.pk
    ctx.notices.append(
        (
            centre_staff(Role.SHIFT_LEADER),
            f"{kind}_requested",
            lazy_format(
                _("Case %(ticket)s: a request waits for your decision."),
                {"ticket": ctx.record.ticket},
            ),
        )
    )
    return request


def _decide(ctx: ActionContext, kind: str, status: str) -> CaseRequest:
    request = ctx.record.requests.filter(kind=kind, status=RequestStatus.PENDING).first()
    if request is None:
        raise BadInput(
            _("No request of this kind is waiting for a decision."),
            field="state",
            code="no_request",
        )
    request.status, request.decided_at = status, ctx.now
    request.decided_by = user_of(ctx.actor)
    request.decision_comment = ctx.comment
    request.save()
    ctx.data["request"] = request.pk
    ctx.notices.append(
        (
            [request.requested_by],
            f"{kind}_{status}",
            lazy_format(
                _("Case %(ticket)s: your request was %(decision)s."),
                {"ticket": ctx.record.ticket, "decision": RequestStatus(status).label},
            ),
        )
    )
    return request


def on_request_extension(ctx: ActionContext) -> None:
    wanted = ctx.params["requested_deadline"]  # aware (the row's input)
    if ctx.record.deadline is not None and wanted <= ctx.record.deadline:
        raise BadInput(
            _("An extension must end after the current deadline."),
            field="requested_deadline",
            code="range",
        )
    _request(ctx, RequestKind.EXTENSION, requested_deadline=wanted)


def on_approve_extension(ctx: ActionContext) -> None:
    pending = ctx.record.requests.filter(
        kind=RequestKind.EXTENSION, status=RequestStatus.PENDING
    ).first()
    latest = max(ctx.now, ctx.record.deadline) if ctx.record.deadline else ctx.now
    if pending is not None and pending.requested_deadline <= latest:
        raise BadInput(
            _("The requested deadline has already passed; refuse it and ask for a new one."),
            field="requested_deadline",
            code="range",
        )
    request = _decide(ctx, RequestKind.EXTENSION, RequestStatus.APPROVED)
    lead = lead_assignment(ctx.record)
    deadlines.clock_extend(
        case=ctx.record,
        new_deadline=request.requested_deadline,
        now=ctx.now,
        unit=lead.unit if lead else None,
    )
    ctx.data.update(rules.extended(ctx.record, request.requested_deadline))


def on_request_suspension(ctx: ActionContext) -> None:
    _request(ctx, RequestKind.SUSPENSION)


def on_approve_suspension(ctx: ActionContext) -> None:
    """挂账: a hard, long-term case is parked; its clock stops until it is resumed."""
    _decide(ctx, RequestKind.SUSPENSION, RequestStatus.APPROVED)
    rules.suspended(ctx.record)
    deadlines.clock_stop(case=ctx.record, now=ctx.now)


def on_resume(ctx: ActionContext) -> None:
    lead = lead_assignment(ctx.record)
    deadlines.clock_resume(case=ctx.record, now=ctx.now, unit=lead.unit if lead else None)
    ctx.data.update(rules.resumed(ctx.record))


def on_request_cancel(ctx: ActionContext) -> None:
    _request(ctx, RequestKind.CANCELLATION)


def on_approve_cancel(ctx: ActionContext) -> None:
    _decide(ctx, RequestKind.CANCELLATION, RequestStatus.APPROVED)
    _withdraw_requests(ctx)
    for a in rules.cancelled(ctx.record.assignments.all(), ctx.now):
        a.save(update_fields=["state", "done_at"])


def on_urge(ctx: ActionContext) -> None:
    """督办: a leader presses the handling unit (or the centre, before dispatch)."""
    rules.urged(ctx.record)
    lead = lead_assignment(ctx.record)
    users = (
        unit_staff(lead.unit, Role.HANDLER, Role.LEADER)
        if lead
        else centre_staff(Role.DISPATCHER, Role.SHIFT_LEADER)
    )
    ctx.notices.append(
        (
            users,
            "urged",
            lazy_format(
                _("Case %(ticket)s is urged: %(reason)s"),
                {"ticket": ctx.record.ticket, "reason": ctx.comment},
            ),
        )
    )


def on_merge(ctx: ActionContext) -> None:
    """合并: a duplicate joins the surviving case; its reporter follows the survivor."""
    into = ctx.params["into"].strip()
    cases = Case.objects.all() if is_explicit(ctx.actor) else Case.objects.visible_to(ctx.actor)
    target = cases.filter(ticket=into).first()
    if target is not None:  # lock it too, so that two opposite merges cannot both pass
        target = Case.objects.select_for_update().get(pk=target.pk)
    if target is None or target.pk == ctx.record.pk or target.state not in OPEN_STATES:
        raise BadInput(
            _("Merge into another open case (its ticket number)."),
            field="into",
            code="invalid_choice",
        )
    ctx.record.merged_into = target
    ctx.data["into"] = target.ticket


def on_escalate(ctx: ActionContext) -> None:
    """升级: the case passes to the tier above (social entity → community or street,
    community → street), or to the unit a dispatcher names."""
    lead = _lead(ctx)
    _withdraw_requests(ctx)
    target = _unit(ctx.params["unit"], "unit", ctx) if ctx.params.get("unit") else lead.unit.parent
    if target is None or target.kind == UnitKind.DISTRICT:
        raise BadInput(
            _("There is no tier above this unit to escalate to."), field="unit", code="no_parent"
        )
    ctx.data.update(rules.escalated(lead, target, ctx.now))
    lead.save(update_fields=["state", "done_at"])
    CaseAssignment.objects.create(
        case=ctx.record,
        unit=target,
        role=lead.role,
        task=lead.task,
        routing_reason=rules.escalation_reason(lead.unit.name),
        dispatched_at=ctx.now,
    )
    ctx.notices.append(
        (
            unit_staff(target, Role.HANDLER),
            "escalated",
            lazy_format(
                _("Case %(ticket)s was escalated to your unit."), {"ticket": ctx.record.ticket}
            ),
        )
    )


def on_refer(ctx: ActionContext) -> None:
    """移送执法: the enforcement app (its hook, installed when it starts) registers the case as a
    clue of its street's team in the same transaction; the link is kept both ways."""
    from cityloop.events import hooks

    if hooks.referral is None:
        raise BadInput(
            _("Enforcement is not installed: an administrator must enable it."),
            field="action",
            code="no_enforcement",
        )
    clue = hooks.referral(case=ctx.record, actor=ctx.actor, now=ctx.now, comment=ctx.comment)
    ctx.data["enforcement"] = clue.number


HANDLERS = {
    Action.ACCEPT: on_accept,
    Action.REJECT: on_reject,
    Action.REQUEST_CONFIRMATION: on_request_confirmation,
    Action.CONFIRM: on_confirm,
    Action.REFUTE: on_refute,
    Action.FILE: on_file,
    Action.DISPATCH: on_dispatch,
    Action.SIGN: on_sign,
    Action.RETURN: on_return,
    Action.FEED_BACK: on_feed_back,
    Action.ASSIST_REPORT: on_assist_report,
    Action.REWORK: on_rework,
    Action.CLOSE: on_close,
    Action.EVALUATE: on_evaluate,
    Action.REQUEST_EXTENSION: on_request_extension,
    Action.APPROVE_EXTENSION: on_approve_extension,
    Action.REFUSE_EXTENSION: lambda ctx: _decide(ctx, RequestKind.EXTENSION, RequestStatus.REFUSED),
    Action.REQUEST_SUSPENSION: on_request_suspension,
    Action.APPROVE_SUSPENSION: on_approve_suspension,
    Action.REFUSE_SUSPENSION: lambda ctx: _decide(
        ctx, RequestKind.SUSPENSION, RequestStatus.REFUSED
    ),
    Action.RESUME: on_resume,
    Action.REQUEST_CANCEL: on_request_cancel,
    Action.APPROVE_CANCEL: on_approve_cancel,
    Action.REFUSE_CANCEL: lambda ctx: _decide(ctx, RequestKind.CANCELLATION, RequestStatus.REFUSED),
    Action.URGE: on_urge,
    Action.MERGE: on_merge,
    Action.ESCALATE: on_escalate,
    Action.REFER: on_refer,
}
