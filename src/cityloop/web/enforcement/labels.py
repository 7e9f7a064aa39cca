"""How the enforcement pages name states, actions and documents (translated labels)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityloop.enforcement.choices import EnforcementState
from cityloop.enforcement.workflow import Action

# The history rows that are not transitions (``enforcement.history``).
OTHER_ACTIONS = {
    "register": pgettext_lazy("enforcement action", "Clue registered"),
    "clock_warning": pgettext_lazy("enforcement action", "Clock due soon"),
    "clock_overdue": pgettext_lazy("enforcement action", "Clock overdue"),
}
# The documents ``enforcement.issuing`` issues, by kind (执法文书).
DOCUMENTS = {
    "filing_approval": _("Filing approval form"),  # 立案审批表
    "interview_record": _("Interview record"),  # 询问笔录
    "inspection_record": _("On-site inspection record"),  # 现场检查笔录
    "preservation_notice": _("Registered preservation notice"),  # 先行登记保存通知书
    "prior_notice": _("Prior notice of the penalty"),  # 行政处罚事先告知书
    "hearing_notice": _("Hearing notice"),  # 听证通知书
    "legal_review_opinion": _("Legal review opinion"),  # 法制审核意见书
    "penalty_decision": _("Penalty decision"),  # 行政处罚决定书
    "on_the_spot_decision": _("On-the-spot penalty decision"),  # 当场行政处罚决定书
    "service_receipt": _("Service receipt"),  # 送达回证
    "reminder": _("Reminder"),  # 催告书
    "closing_report": _("Closing report"),  # 结案报告
}


def state_label(state: str) -> str:
    return str(EnforcementState(state).label) if state in EnforcementState.values else state


def action_label(action: str) -> str:
    if action in Action.values:
        return str(Action(action).label)
    return str(OTHER_ACTIONS.get(action, action))


def document_label(kind: str) -> str:
    return str(DOCUMENTS.get(kind, kind))
