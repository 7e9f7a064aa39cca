"""Choices of the closed loop. Stored values never change once shipped."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseState(models.TextChoices):
    """Where a case is in the loop (信息收集 → … → 综合评价)."""

    REPORTED = "reported", pgettext_lazy("case state", "Reported")  # 上报
    ACCEPTED = "accepted", pgettext_lazy("case state", "Accepted")  # 受理
    CONFIRMING = (
        "confirming",
        pgettext_lazy("case state", "Awaiting on-site confirmation"),
    )  # 待核实
    FILED = "filed", pgettext_lazy("case state", "Filed")  # 立案
    DISPATCHED = "dispatched", pgettext_lazy("case state", "Dispatched")  # 已派遣
    HANDLING = "handling", pgettext_lazy("case state", "Being handled")  # 处置中
    FED_BACK = "fed_back", pgettext_lazy("case state", "Fed back, awaiting check")  # 已反馈
    VERIFIED = "verified", pgettext_lazy("case state", "Checked on site")  # 已核查
    SUSPENDED = "suspended", pgettext_lazy("case state", "Suspended")  # 挂账
    CLOSED = "closed", pgettext_lazy("case state", "Closed")  # 结案
    EVALUATED = "evaluated", pgettext_lazy("case state", "Evaluated")  # 已评价
    REJECTED = "rejected", pgettext_lazy("case state", "Rejected")  # 不予受理
    CANCELLED = "cancelled", pgettext_lazy("case state", "Cancelled")  # 作废
    MERGED = "merged", pgettext_lazy("case state", "Merged into another case")  # 已合并


OPEN_STATES = frozenset(
    {
        CaseState.REPORTED,
        CaseState.ACCEPTED,
        CaseState.CONFIRMING,
        CaseState.FILED,
        CaseState.DISPATCHED,
        CaseState.HANDLING,
        CaseState.FED_BACK,
        CaseState.VERIFIED,
        CaseState.SUSPENDED,
    }
)
DONE_STATES = frozenset({CaseState.CLOSED, CaseState.EVALUATED})
ENDED_STATES = frozenset({CaseState.REJECTED, CaseState.CANCELLED, CaseState.MERGED})


class Source(models.TextChoices):
    """How a problem reached us: each is a first-class intake path."""

    CITIZEN = "citizen", _("Citizen report")  # 市民随手拍
    INSPECTOR = "inspector", _("Inspector patrol")  # 监督员巡查
    HOTLINE = "hotline", _("12345 hotline")
    AI_CAMERA = "ai_camera", _("AI camera alarm")
    IOT_SENSOR = "iot_sensor", _("IoT sensor alarm")
    ENTITY_SELF_REPORT = "entity_self_report", _("Social entity self-report")
    LEADER = "leader", _("Leader's instruction")  # 领导交办
    OPEN311 = "open311", _("Open311 client")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Stage(models.TextChoices):
    """The stage whose clock is running; each has its own time limit."""

    ACCEPT = "accept", _("Acceptance")
    CONFIRM = "confirm", _("On-site confirmation")
    FILE = "file", _("Filing")
    DISPATCH = "dispatch", _("Dispatch")
    HANDLE = "handle", _("Handling")
    VERIFY = "verify", _("On-site check")
    CLOSE = "close", _("Closing")
    NONE = "none", _("No clock")


class ClockState(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    WARNING = "warning", _("Warning")
    OVERDUE = "overdue", _("Overdue")
    STOPPED = "stopped", _("Stopped")


class ClockEvent(models.TextChoices):
    """History entries the system writes about a clock (actor: the system): the sweep's turns,
    and a provisional deadline counted again on the year's official holiday arrangement."""

    WARNING = "clock_warning", _("Clock turned to warning")
    OVERDUE = "clock_overdue", _("Clock turned to overdue")
    RECOUNTED = "clock_recounted", _("Deadline counted again on the official holiday arrangement")


class AssignmentRole(models.TextChoices):
    """A unit's part in a case; lead and assist are the 街道吹哨、部门报到 joint case."""

    SINGLE = "single", _("Handling unit")
    LEAD = "lead", _("Lead unit")
    ASSIST = "assist", _("Assisting unit")


class AssignmentState(models.TextChoices):
    DISPATCHED = "dispatched", _("Dispatched")
    SIGNED = "signed", _("Signed for")
    FED_BACK = "fed_back", _("Fed back")
    REPORTED = "reported", _("Reported (assisting)")
    RETURNED = "returned", _("Returned")
    ESCALATED = "escalated", _("Escalated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The unit whose deadline is the case's: the sole handling unit or a joint case's lead.
LEAD_ROLES = (AssignmentRole.SINGLE, AssignmentRole.LEAD)

ACTIVE_ASSIGNMENT_STATES = frozenset(
    {
        AssignmentState.DISPATCHED,
        AssignmentState.SIGNED,
        AssignmentState.FED_BACK,
        AssignmentState.REPORTED,
    }
)


class RequestKind(models.TextChoices):
    EXTENSION = "extension", _("Extension")  # 延期
    SUSPENSION = "suspension", _("Suspension")  # 挂账
    CANCELLATION = "cancellation", _("Cancellation")  # 作废


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn (the unit no longer has the case)")


class RejectReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_ENOUGH_INFORMATION = "not_enough_information", _("Not enough information")
    NOT_FOUND_ON_SITE = "not_found_on_site", _("Not found on site")


class AttachmentStage(models.TextChoices):
    REPORT = "report", _("Report")
    CONFIRM = "confirm", _("Confirmation")
    FEEDBACK = "feedback", _("Feedback")
    VERIFY = "verify", _("Check")
    OTHER = "other", _("Other")
