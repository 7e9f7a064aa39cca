"""The workflow of a case, declared once: state × action → next state, who may act, the clock.

Services, the API, the UI's buttons and the docs (docs/workflow.md, generated from this table
by ``cityloop workflow_doc``) all read ``TRANSITIONS``. It carries the standard's seven steps
(信息收集, 案卷建立, 任务派遣, 任务处理, 处理反馈, 核查结案, 综合评价; reference/
china-urban-management.md §3.1) with the side paths of §3.3 (回退, 延期, 挂账, 督办, 作废, 合并).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from cityloop.categories.models import FilingCondition
from cityloop.core.workflow.actors import CITIZEN, SYSTEM
from cityloop.core.workflow.inputs import Choice, Integer, Many, Moment, Reference, Text
from cityloop.core.workflow.table import PREVIOUS, SAME, ClockStates, Table, Transition
from cityloop.core.workflow.table import row as _t
from cityloop.events.choices import OPEN_STATES, CaseState, ClockState, RejectReason, Stage
from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import Unit

__all__ = ["PREVIOUS", "SAME", "TRANSITIONS", "Action", "Actor", "Transition"]

S = CaseState


class Action(models.TextChoices):
    ACCEPT = "accept", pgettext_lazy("case action", "Accept")  # 受理
    REJECT = "reject", pgettext_lazy("case action", "Reject")  # 不予受理
    REQUEST_CONFIRMATION = (
        "request_confirmation",
        pgettext_lazy("case action", "Send for on-site confirmation"),
    )
    CONFIRM = "confirm", pgettext_lazy("case action", "Confirm on site")  # 核实属实
    REFUTE = "refute", pgettext_lazy("case action", "Not found on site")  # 核实不属实
    FILE = "file", pgettext_lazy("case action", "File")  # 立案
    DISPATCH = "dispatch", pgettext_lazy("case action", "Dispatch")  # 派遣
    SIGN = "sign", pgettext_lazy("case action", "Sign for")  # 签收
    RETURN = "return", pgettext_lazy("case action", "Return to dispatcher")  # 退回
    FEED_BACK = "feed_back", pgettext_lazy("case action", "Feed back")  # 反馈
    ASSIST_REPORT = (
        "assist_report",
        pgettext_lazy("case action", "Report as assisting unit"),
    )  # 协办反馈
    VERIFY = "verify", pgettext_lazy("case action", "Check passed")  # 核查通过
    REWORK = "rework", pgettext_lazy("case action", "Send back for rework")  # 返工
    CLOSE = "close", pgettext_lazy("case action", "Close")  # 结案
    EVALUATE = "evaluate", pgettext_lazy("case action", "Evaluate")  # 评价 / 回访
    REQUEST_EXTENSION = (
        "request_extension",
        pgettext_lazy("case action", "Ask for an extension"),
    )  # 申请延期
    APPROVE_EXTENSION = "approve_extension", pgettext_lazy("case action", "Approve the extension")
    REFUSE_EXTENSION = "refuse_extension", pgettext_lazy("case action", "Refuse the extension")
    REQUEST_SUSPENSION = (
        "request_suspension",
        pgettext_lazy("case action", "Ask to suspend"),
    )  # 申请挂账
    APPROVE_SUSPENSION = (
        "approve_suspension",
        pgettext_lazy("case action", "Approve the suspension"),
    )
    REFUSE_SUSPENSION = "refuse_suspension", pgettext_lazy("case action", "Refuse the suspension")
    RESUME = "resume", pgettext_lazy("case action", "Resume")  # 恢复
    URGE = "urge", pgettext_lazy("case action", "Urge")  # 督办
    REQUEST_CANCEL = "request_cancel", pgettext_lazy("case action", "Ask to cancel")  # 申请作废
    APPROVE_CANCEL = "approve_cancel", pgettext_lazy("case action", "Approve the cancellation")
    REFUSE_CANCEL = "refuse_cancel", pgettext_lazy("case action", "Refuse the cancellation")
    MERGE = "merge", pgettext_lazy("case action", "Merge into another case")  # 合并
    ESCALATE = "escalate", pgettext_lazy("case action", "Escalate to the tier above")  # 升级
    REFER = "refer", pgettext_lazy("case action", "Refer to enforcement")  # 移送执法


class Actor(models.TextChoices):
    """Whose unit may act: the command centre, the unit the case is with, or others."""

    CENTRE = "centre", _("Command centre (district, or the case's street for dispatch)")
    ASSIGNEE = "assignee", _("The unit the case is assigned to")
    LEAD = "lead", _("The lead or sole handling unit")
    ASSISTANT = "assistant", _("An assisting unit")
    FIELD = "field", _("An inspector who can see the case")
    REPORTER = "reporter", _("The reporter (citizen, by ticket) or a centre acceptor")
    ANYONE_SCOPED = "anyone_scoped", _("Anyone with the role who can see the case")
    SYSTEM = "system", _("The system")


# --- the inputs of the actions that take more than a comment -----------------------------
def _units(case) -> models.QuerySet[Unit]:
    """The units a page offers (the handler checks the dispatcher's own reach)."""
    units = Unit.objects.filter(is_active=True).exclude(kind=UnitKind.DISTRICT)
    return units.order_by("kind", "code", "name")


def _filing_conditions(case) -> models.QuerySet[FilingCondition]:
    if not case.category_id:
        return FilingCondition.objects.none()
    return case.category.filing_conditions.order_by("sequence")


def _condition_label(condition: FilingCondition) -> str:
    return f"{condition.sequence}. {condition.filing_condition} ({condition.time_limit})"


REJECT_INPUTS = (Choice("reason", _("Why"), choices=RejectReason),)
FILE_INPUTS = (
    Reference(
        "filing_condition",
        _("Filing condition"),
        options=_filing_conditions,
        option_label=_condition_label,
    ),
    # API only: the page's list of conditions follows the category the case already has.
    Reference(
        "category",
        _("Category"),
        required=False,
        help=gettext_noop("change the category while filing"),
        on_page=False,
    ),
)
DISPATCH_INPUTS = (
    Reference(
        "unit",
        _("Unit"),
        required=False,
        options=_units,
        help=gettext_noop("default: the routing proposal"),
    ),
    Text("task", _("Task"), required=False, max_length=500),
    Many(
        "assisting",
        _("Summon assisting units"),
        item="AssistIn",
        max_items=20,
        of=(
            Reference("unit", _("Unit"), options=_units),
            Text("task", _("Assisting units' task"), required=False, max_length=500),
            Moment("deadline", _("Assisting units' deadline"), required=False),
        ),
    ),
)
EVALUATE_INPUTS = (
    Integer(
        "satisfaction",
        _("Satisfaction"),
        low=1,
        high=5,
        pick=True,
        message=_("Satisfaction is a whole number from 1 to 5."),
    ),
)
EXTENSION_INPUTS = (Moment("requested_deadline", _("New deadline")),)
MERGE_INPUTS = (
    Text(
        "into",
        _("Merge into (ticket)"),
        max_length=24,
        help=gettext_noop("ticket of the surviving case"),
    ),
)
ESCALATE_INPUTS = (
    Reference(
        "unit",
        _("Unit"),
        required=False,
        options=_units,
        help=gettext_noop("default: the tier above"),
    ),
)

R = Role
A = Action
WORKING = {S.DISPATCHED, S.HANDLING}
BEFORE_DISPATCH = {S.REPORTED, S.ACCEPTED, S.CONFIRMING, S.FILED}

# The system takes the confirmation that follows an acceptance and the sweep's escalation;
# a citizen evaluates the result of their own report (a key proves it is theirs).
TRANSITIONS = Table(
    [
        _t(A.ACCEPT, {S.REPORTED}, S.ACCEPTED, {R.ACCEPTOR, R.SHIFT_LEADER}, Actor.CENTRE, Stage.FILE),
        _t(A.REJECT, {S.REPORTED, S.ACCEPTED}, S.REJECTED, {R.ACCEPTOR, R.SHIFT_LEADER}, Actor.CENTRE, Stage.NONE, reason=True, inputs=REJECT_INPUTS),
        _t(A.REQUEST_CONFIRMATION, {S.ACCEPTED}, S.CONFIRMING, {R.ACCEPTOR, R.SHIFT_LEADER, SYSTEM}, Actor.CENTRE, Stage.CONFIRM),
        _t(A.CONFIRM, {S.CONFIRMING}, S.ACCEPTED, {R.INSPECTOR}, Actor.FIELD, Stage.FILE, attachments=True),
        _t(A.REFUTE, {S.CONFIRMING}, S.REJECTED, {R.INSPECTOR}, Actor.FIELD, Stage.NONE, reason=True, attachments=True),
        _t(A.FILE, {S.ACCEPTED}, S.FILED, {R.SHIFT_LEADER}, Actor.CENTRE, Stage.DISPATCH, inputs=FILE_INPUTS),
        _t(A.DISPATCH, {S.FILED}, S.DISPATCHED, {R.DISPATCHER, R.SHIFT_LEADER}, Actor.CENTRE, Stage.HANDLE, inputs=DISPATCH_INPUTS),
        _t(A.SIGN, {S.DISPATCHED}, S.HANDLING, {R.HANDLER}, Actor.LEAD),
        _t(A.RETURN, WORKING, S.FILED, {R.HANDLER}, Actor.LEAD, Stage.DISPATCH, reason=True),
        _t(A.FEED_BACK, {S.HANDLING}, S.FED_BACK, {R.HANDLER}, Actor.LEAD, Stage.VERIFY, reason=True, attachments=True),
        _t(A.ASSIST_REPORT, WORKING, SAME, {R.HANDLER}, Actor.ASSISTANT, reason=True, attachments=True),
        _t(A.VERIFY, {S.FED_BACK}, S.VERIFIED, {R.INSPECTOR}, Actor.FIELD, Stage.CLOSE, attachments=True),
        _t(A.REWORK, {S.FED_BACK, S.VERIFIED}, S.HANDLING, {R.INSPECTOR, R.SHIFT_LEADER}, Actor.FIELD, Stage.HANDLE, reason=True, attachments=True),
        _t(A.CLOSE, {S.VERIFIED}, S.CLOSED, {R.SHIFT_LEADER}, Actor.CENTRE, Stage.NONE),
        _t(A.EVALUATE, {S.CLOSED}, S.EVALUATED, {R.ACCEPTOR, CITIZEN}, Actor.REPORTER, inputs=EVALUATE_INPUTS),
        _t(A.REQUEST_EXTENSION, WORKING, SAME, {R.HANDLER}, Actor.LEAD, reason=True, inputs=EXTENSION_INPUTS),
        _t(A.APPROVE_EXTENSION, WORKING, SAME, {R.SHIFT_LEADER}, Actor.CENTRE),
        _t(A.REFUSE_EXTENSION, WORKING, SAME, {R.SHIFT_LEADER}, Actor.CENTRE, reason=True),
        _t(A.REQUEST_SUSPENSION, WORKING, SAME, {R.HANDLER}, Actor.LEAD, reason=True),
        _t(A.APPROVE_SUSPENSION, WORKING, S.SUSPENDED, {R.SHIFT_LEADER}, Actor.CENTRE),
        _t(A.REFUSE_SUSPENSION, WORKING, SAME, {R.SHIFT_LEADER}, Actor.CENTRE, reason=True),
        _t(A.RESUME, {S.SUSPENDED}, PREVIOUS, {R.SHIFT_LEADER}, Actor.CENTRE),
        _t(A.URGE, OPEN_STATES - {S.SUSPENDED}, SAME, {R.LEADER, R.SHIFT_LEADER}, Actor.ANYONE_SCOPED, reason=True),
        _t(A.REQUEST_CANCEL, OPEN_STATES, SAME, {R.ACCEPTOR, R.DISPATCHER}, Actor.CENTRE, reason=True),
        _t(A.APPROVE_CANCEL, OPEN_STATES, S.CANCELLED, {R.SHIFT_LEADER}, Actor.CENTRE, Stage.NONE),
        _t(A.REFUSE_CANCEL, OPEN_STATES, SAME, {R.SHIFT_LEADER}, Actor.CENTRE, reason=True),
        _t(A.MERGE, BEFORE_DISPATCH, S.MERGED, {R.ACCEPTOR, R.DISPATCHER, R.SHIFT_LEADER}, Actor.CENTRE, Stage.NONE, inputs=MERGE_INPUTS),
        _t(A.ESCALATE, WORKING, S.DISPATCHED, {R.DISPATCHER, R.SHIFT_LEADER, SYSTEM}, Actor.CENTRE, Stage.HANDLE, inputs=ESCALATE_INPUTS),
        _t(A.REFER, OPEN_STATES | {S.CLOSED, S.EVALUATED}, SAME, {R.DISPATCHER, R.SHIFT_LEADER, R.ENFORCEMENT_OFFICER}, Actor.ANYONE_SCOPED, reason=True),
    ],
    states=CaseState,
    actions=Action,
    actors=Actor,
    stages=Stage,
    # Each stage's clock: on time, then warning (CITYLOOP_WARNING_SHARE of the limit used),
    # then overdue; stopped while suspended or without a deadline (services/deadlines.py).
    clock_states=ClockStates(
        running=ClockState.ON_TIME,
        warning=ClockState.WARNING,
        overdue=ClockState.OVERDUE,
        stopped=ClockState.STOPPED,
    ),
    roles={*Role.values, SYSTEM, CITIZEN},
    reserved={"case"},  # case_act(case=...)
)  # fmt: skip
