"""What a document's template is given: the case's data, formatted for display (Chinese).

The keys are the templates' contract (docs/documents.md): agency, doc, case, party,
violation, officers, evidence, interview, inspection, preservation, notice, hearing, review,
decision, service, reminder, closing. A value the case does not hold yet is an empty string:
the template prints a blank line to fill by hand, never "None".
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cityloop.core.documents import amount_in_words
from cityloop.enforcement.choices import Outcome, PartyKind, ServiceMethod
from cityloop.enforcement.models import Credential, EnforcementCase, EnforcementEvent
from cityloop.enforcement.rules import CASH_LIMIT, amount_due
from cityloop.org.models import User

TITLES = {
    "filing_approval": "立案审批表",
    "interview_record": "询问笔录",
    "inspection_record": "现场检查笔录",
    "preservation_notice": "先行登记保存通知书",
    "prior_notice": "行政处罚事先告知书",
    "hearing_notice": "听证通知书",
    "legal_review_opinion": "法制审核意见书",
    "penalty_decision": "行政处罚决定书",
    "on_the_spot_decision": "当场行政处罚决定书",
    "service_receipt": "送达回证",
    "reminder": "催告书",
    "closing_report": "结案报告",
}
BUREAU = "深圳市罗湖区城市管理和综合执法局"
RECONSIDERATION = "如不服本决定，可以在收到本决定书之日起六十日内向深圳市罗湖区人民政府申请行政复议"
LITIGATION = "或者在六个月内直接向深圳市罗湖区人民法院提起行政诉讼"
BANK = "罚款请于收到本决定书之日起十五日内到指定银行或通过电子支付系统缴纳；逾期不缴纳的，每日按罚款数额的百分之三加处罚款"
OUTCOME_TEXT = {
    Outcome.PENALTY: "给予行政处罚",
    Outcome.NO_PENALTY_MINOR: "违法行为轻微并及时改正，没有造成危害后果，不予行政处罚",
    Outcome.NO_PENALTY_UNFOUNDED: "违法事实不能成立，不予行政处罚",
    Outcome.JUDICIAL: "违法行为涉嫌犯罪，移送司法机关",
}
METHOD_TEXT = {
    ServiceMethod.IN_PERSON: "直接送达",
    ServiceMethod.LEFT: "留置送达",
    ServiceMethod.POST: "邮寄送达",
    ServiceMethod.ELECTRONIC: "电子送达",
    ServiceMethod.ANNOUNCEMENT: "公告送达",
}


def day(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日"


def at(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{day(moment)} {local:%H:%M}"


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}元" if value else ""


def _name(user: User | None) -> str:
    return "" if user is None else (user.display_name or user.username)


def _agency(case: EnforcementCase) -> dict[str, str]:
    unit = case.unit
    name = BUREAU if unit.parent_id is None else f"{BUREAU}{unit.name}执法队"
    return {"name": name, "address": getattr(unit, "address", "") or "", "phone": ""}


def _events(case: EnforcementCase) -> dict[str, EnforcementEvent]:
    """The latest row of each action (the documents quote the acts)."""
    rows: dict[str, EnforcementEvent] = {}
    for row in case.events.select_related("actor").order_by("at", "id"):
        rows[row.action] = row
    return rows


def _officers(case: EnforcementCase, ids: list[int]) -> list[dict[str, str]]:
    users = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    cards = dict(Credential.objects.filter(user_id__in=ids).values_list("user_id", "number"))
    return [
        {"name": _name(users.get(i)), "credential": cards.get(i, "")} for i in ids if i in users
    ]


def context_for(
    case: EnforcementCase, kind: str, *, number: str, now: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    party, violation = case.party, case.violation
    rows = _events(case)
    officer_ids = data.get("officers") or sorted(case.officers.values_list("pk", flat=True))
    fine = case.fine or case.proposed_fine
    approval = rows.get("approve_filing")
    review = rows.get("pass_legal_review")
    hearing_row = rows.get("schedule_hearing")
    serve_row = rows.get("serve")
    payment = case.clocks.filter(kind="payment").first()
    owed = amount_due(case.fine, payment.deadline if payment else None, timezone.localdate(now))
    return {
        "agency": _agency(case),
        "doc": {"number": number, "title": TITLES.get(kind, kind), "issued_on": day(now)},
        "case": {
            "number": case.number,
            "title": case.title,
            "source": case.get_source_display(),
            "place": case.place,
            "occurred_on": day(case.occurred_at),
            "filed_on": day(case.filed_at or (now if kind == "filing_approval" else None)),
            "procedure": case.get_procedure_display(),
            "facts": case.facts,
            "approver": _name(approval.actor) if approval else "",
            "approved_on": day(approval.at) if approval else "",
        },
        "party": {
            "kind": "" if party is None else ("个人" if party.kind == PartyKind.PERSON else "单位"),
            "name": party.name if party else "",
            "id_number": party.id_number if party else "",
            "phone": party.phone if party else "",
            "address": party.address if party else "",
            "legal_representative": party.legal_representative if party else "",
            "credit_code": party.credit_code if party else "",
        },
        "violation": {
            "name": violation.name if violation else "",
            "legal_basis": violation.legal_basis if violation else "",
            "penalty_basis": violation.penalty_basis if violation else "",
            "discretion": case.get_tier_display() if case.tier else "",
        },
        "officers": _officers(case, officer_ids),
        "evidence": [
            {
                "number": str(e.number),
                "kind": e.get_kind_display(),
                "description": e.description,
                "collected_on": day(e.collected_at),
            }
            for e in case.evidence.order_by("number")
        ],
        "interview": {
            "at": "",
            "place": "",
            "interviewee": "",
            "interviewer": "",
            "recorder": "",
            "qa": [],
        },
        "inspection": {"at": "", "place": case.place, "present": "", "findings": case.facts},
        "preservation": {
            # "goods", not "items": a template's preservation.items would be the dict's method
            "goods": [{"name": data.get("items", ""), "quantity": ""}] if data.get("items") else [],
            "place": case.place,
            "decide_by": day(_parse(data.get("decide_by")))
            if kind == "preservation_notice"
            else "",
        },
        "notice": {
            "proposed": _proposed(case),
            "statement_days": "5",
            "hearing_right": case.hearing_right,
            "hearing_days": "5",
        },
        "hearing": {
            "at": at(case.hearing_at),
            "place": (hearing_row.data.get("place", "") if hearing_row else data.get("place", "")),
            "host": (hearing_row.data.get("host", "") if hearing_row else data.get("host", "")),
            "request_on": day(case.hearing_requested_at),
        },
        "review": {
            "reviewer": _name(review.actor) if review else "",
            "opinion": (review.data.get("opinion", "") if review else data.get("opinion", "")),
            "result": "同意" if case.legal_review_passed else "",
            "reviewed_on": day(review.at)
            if review
            else (day(now) if kind == "legal_review_opinion" else ""),
        },
        "decision": {
            "kind": OUTCOME_TEXT.get(case.outcome, ""),
            "penalty": _penalty(case),
            "amount": yuan(fine),
            "amount_words": amount_in_words(fine) if fine else "",
            "payment_days": "15",
            "bank": BANK if fine else "",
            "reconsideration": RECONSIDERATION,
            "litigation": LITIGATION,
            "decided_on": day(case.decided_at),
        },
        "service": {
            "document": TITLES[
                "on_the_spot_decision" if case.procedure == "simple" else "penalty_decision"
            ],
            "method": METHOD_TEXT.get(case.service_method, ""),
            "served_at": at(case.served_at),
            "place": case.place,
            "recipient": (
                serve_row.data.get("recipient", "") if serve_row else data.get("recipient", "")
            ),
            "server": "、".join(o["name"] for o in _officers(case, officer_ids)),
        },
        "reminder": {
            "amount": yuan(case.fine),
            "surcharge": yuan(owed - case.fine),
            "total": yuan(owed - case.paid),
            "pay_by": day(case.pay_by),
        },
        "closing": {
            "result": OUTCOME_TEXT.get(case.outcome, ""),
            "summary": data.get("summary", ""),
            "closed_on": day(case.closed_at or now),
        },
        "cash_limit": str(CASH_LIMIT),
    }


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _penalty(case: EnforcementCase) -> str:
    parts = []
    if "warning" in case.penalty_kinds:
        parts.append("警告")
    fine = case.fine or case.proposed_fine
    if fine:
        parts.append(f"罚款人民币{amount_in_words(fine)}（{fine:,.2f}元）")
    return "、".join(parts)


def _proposed(case: EnforcementCase) -> str:
    if case.proposed_outcome and case.proposed_outcome != Outcome.PENALTY:
        return OUTCOME_TEXT[case.proposed_outcome]
    parts = ["警告"] if "warning" in case.penalty_kinds else []
    if case.proposed_fine:
        parts.append(f"罚款人民币{case.proposed_fine:,.2f}元")
    return "拟给予" + "、".join(parts) if parts else ""
