"""The workflow of an enforcement case, declared once on the kernel's table type.

The procedures of 《中华人民共和国行政处罚法》 (2021 revision; the articles are cited beside each
row and in ``rules``): a clue is registered, proposed for filing and filed with the approval of
the person in charge (第五十四条), or not filed, or transferred; the ordinary procedure
investigates (two officers with credentials on every investigative act, 第四十二条; 先行登记保存
第五十六条), reviews (案件审查; 法制审核 第五十八条), notifies (第四十四、四十五、六十二条; 听证
第六十三、六十四条), discusses collectively where serious (第五十七条), decides (第六十条), serves
(第六十一条) and executes (第六十七、七十二条; 行政强制法 第三十五、五十三、五十四条) before it is
closed and archived. The simple procedure decides on the spot (第五十一、五十二条) and collects
cash only within 第六十八条. Services, the API (``POST /api/enforcement/cases/{number}/<action>``),
the pages' buttons and docs/enforcement.md read this table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from cityloop.core.workflow.actors import SYSTEM
from cityloop.core.workflow.inputs import Choice, Flag, Integer, Many, Moment, Reference, Text
from cityloop.core.workflow.table import SAME, ClockStates, Table
from cityloop.core.workflow.table import row as _t
from cityloop.enforcement.choices import (
    ClockState,
    EnforcementState,
    EvidenceKind,
    NotFiledReason,
    Outcome,
    PartyKind,
    PaymentKind,
    ServiceMethod,
    Tier,
)
from cityloop.org.choices import Role

S = EnforcementState


class Action(models.TextChoices):
    PROPOSE_FILING = "propose_filing", pgettext_lazy("enforcement action", "Propose filing")
    APPROVE_FILING = "approve_filing", pgettext_lazy("enforcement action", "Approve filing")
    RETURN_FILING = "return_filing", pgettext_lazy("enforcement action", "Return the proposal")
    NOT_FILE = "not_file", pgettext_lazy("enforcement action", "Do not file")
    TRANSFER = "transfer", pgettext_lazy("enforcement action", "Transfer")
    ON_THE_SPOT = "on_the_spot", pgettext_lazy("enforcement action", "Decide on the spot")
    HAND_OVER = "hand_over", pgettext_lazy("enforcement action", "Hand in the cash")
    ADD_EVIDENCE = "add_evidence", pgettext_lazy("enforcement action", "Add evidence")
    PRESERVE = "preserve", pgettext_lazy("enforcement action", "Approve preservation")
    RELEASE = "release", pgettext_lazy("enforcement action", "Decide on preserved items")
    CONCLUDE = "conclude", pgettext_lazy("enforcement action", "Conclude the investigation")
    APPROVE_REVIEW = "approve_review", pgettext_lazy("enforcement action", "Pass case review")
    SEND_LEGAL_REVIEW = (
        "send_legal_review",
        pgettext_lazy("enforcement action", "Send for legal review"),
    )
    RETURN_INVESTIGATION = (
        "return_investigation",
        pgettext_lazy("enforcement action", "Return for investigation"),
    )
    PASS_LEGAL_REVIEW = (
        "pass_legal_review",
        pgettext_lazy("enforcement action", "Pass legal review"),
    )
    FAIL_LEGAL_REVIEW = (
        "fail_legal_review",
        pgettext_lazy("enforcement action", "Return with review opinions"),
    )
    NOTIFY = "notify", pgettext_lazy("enforcement action", "Notify the party")
    RECORD_STATEMENT = (
        "record_statement",
        pgettext_lazy("enforcement action", "Record statement and defence"),
    )
    REQUEST_HEARING = (
        "request_hearing",
        pgettext_lazy("enforcement action", "Record hearing request"),
    )
    SCHEDULE_HEARING = (
        "schedule_hearing",
        pgettext_lazy("enforcement action", "Schedule the hearing"),
    )
    CONCLUDE_HEARING = (
        "conclude_hearing",
        pgettext_lazy("enforcement action", "Conclude the hearing"),
    )
    CLOSE_NOTICE = "close_notice", pgettext_lazy("enforcement action", "End the notice period")
    DELIBERATE = "deliberate", pgettext_lazy("enforcement action", "Discuss collectively")
    DECIDE = "decide", pgettext_lazy("enforcement action", "Decide")
    SERVE = "serve", pgettext_lazy("enforcement action", "Serve the decision")
    RECORD_PAYMENT = "record_payment", pgettext_lazy("enforcement action", "Record a payment")
    ALLOW_DEFERRAL = "allow_deferral", pgettext_lazy("enforcement action", "Approve deferral")
    REMIND = "remind", pgettext_lazy("enforcement action", "Serve a reminder")
    APPLY_COURT = "apply_court", pgettext_lazy("enforcement action", "Apply to the court")
    CLOSE = "close", pgettext_lazy("enforcement action", "Close the case")
    ARCHIVE = "archive", pgettext_lazy("enforcement action", "Archive")
    SUSPEND_CLOCK = "suspend_clock", pgettext_lazy("enforcement action", "Suspend the 90-day clock")
    RESUME_CLOCK = "resume_clock", pgettext_lazy("enforcement action", "Resume the 90-day clock")
    EXTEND = "extend", pgettext_lazy("enforcement action", "Extend the 90-day clock")


class Actor(models.TextChoices):
    """Whose unit may act on an enforcement case."""

    TEAM = "team", _("The case's enforcement team (its unit), or the district's")
    HEAD = "head", _("The person in charge of the case's unit, or of the district")
    REVIEWER = "reviewer", _("A legal reviewer of the district or of the case's unit")


# The clocks are rows of their own (``models.CaseClock``, several per case), started and
# stopped by the handlers (``services``), not a stage clock of the record: no row names a stage.
CLOCK_STATES = ClockStates(
    running=ClockState.RUNNING,
    warning=ClockState.WARNING,
    overdue=ClockState.OVERDUE,
    stopped=ClockState.STOPPED,
)


# --- the inputs ----------------------------------------------------------------------------
def _officers(case) -> models.QuerySet:
    from cityloop.enforcement.selectors import officers_for

    return officers_for(case)


def _violations(case) -> models.QuerySet:
    from cityloop.enforcement.models import Violation

    return Violation.objects.filter(current=True).order_by("category", "code")


OFFICERS = Many(
    "officers",
    _("Officers present"),
    item="officer",
    of=(Reference("officer", _("Officer"), options=_officers),),
    max_items=6,
    help=gettext_noop(
        "The other officers present (the actor counts too): at least two officers holding a "
        "valid enforcement credential act together (第四十二条)"
    ),
)
PARTY_INPUTS = (
    Choice("party_kind", _("Party kind"), choices=PartyKind),
    Text("party_name", _("Party's name"), max_length=120),
    Text(
        "party_identity",
        _("ID number or credit code"),
        required=False,
        max_length=18,
        help=gettext_noop("A person's 18-character ID number or an organisation's credit code"),
    ),
    Text("party_phone", _("Party's phone"), required=False, max_length=30),
    Text("party_address", _("Party's address"), required=False, max_length=200),
    Text("legal_representative", _("Legal representative"), required=False, max_length=60),
)
CASE_FACTS = (
    Reference("violation", _("Violation"), options=_violations),
    Moment("occurred_at", _("Act committed at")),
    Text("facts", _("Facts"), max_length=4000),
)
PROPOSE_INPUTS = (*PARTY_INPUTS, *CASE_FACTS, OFFICERS)
ON_THE_SPOT_INPUTS = (
    *PARTY_INPUTS,
    *CASE_FACTS,
    Integer("fine", _("Fine (yuan)"), low=0, high=3000),
    Flag("warning", _("Warning")),
    Flag("cash", _("Collected in cash on the spot")),
    Flag(
        "hard_to_enforce",
        _("Hard to enforce later"),
        help=gettext_noop(
            "Cash above 100 yuan only when it would be hard to collect later (第六十八条)"
        ),
    ),
    OFFICERS,
)
NOT_FILE_INPUTS = (Choice("reason", _("Reason"), choices=NotFiledReason),)
TRANSFER_INPUTS = (Text("to", _("Transferred to"), max_length=120),)
EVIDENCE_INPUTS = (
    Choice("kind", _("Kind of evidence"), choices=EvidenceKind),
    Text("description", _("Description"), max_length=2000),
    Moment("collected_at", _("Collected at"), required=False),
    OFFICERS,
)
PRESERVE_INPUTS = (Text("items", _("Items preserved"), max_length=2000), OFFICERS)
RELEASE_INPUTS = (Text("result", _("Decision on the items"), max_length=1000),)
CONCLUDE_INPUTS = (
    Choice("outcome", _("Proposed outcome"), choices=Outcome),
    Choice("tier", _("Discretion tier"), choices=Tier, required=False),
    Integer("fine", _("Proposed fine (yuan)"), low=0, high=100_000_000, required=False),
    Flag("warning", _("Warning")),
    Flag("difficult", _("Difficult or complex (第五十八条)")),
    OFFICERS,
)
OPINION_INPUTS = (Text("opinion", _("Review opinion"), max_length=4000),)
NOTIFY_INPUTS = (OFFICERS,)
STATEMENT_INPUTS = (
    Text("statement", _("Statement and defence"), required=False, max_length=4000),
    Flag("waived", _("The party waives statement and hearing")),
)
HEARING_REQUEST_INPUTS = (Moment("requested_at", _("Requested at"), required=False),)
SCHEDULE_INPUTS = (
    Moment("hearing_at", _("Hearing at")),
    Text("place", _("Hearing place"), max_length=200),
    Text("host", _("Hearing host"), max_length=60),
)
HEARING_INPUTS = (Text("report", _("Hearing report"), max_length=4000),)
DELIBERATE_INPUTS = (
    Text("participants", _("Participants"), max_length=500),
    Text("conclusion", _("Conclusion"), max_length=4000),
)
DECIDE_INPUTS = (
    Choice("outcome", _("Outcome"), choices=Outcome),
    Integer("fine", _("Fine (yuan)"), low=0, high=100_000_000, required=False),
    Flag("warning", _("Warning")),
)
SERVE_INPUTS = (
    Choice("method", _("Service method"), choices=ServiceMethod),
    Moment("served_at", _("Served at"), required=False),
    Text("recipient", _("Received by"), max_length=60),
    OFFICERS,
)
PAYMENT_INPUTS = (
    Text(
        "amount",
        _("Amount (yuan)"),
        max_length=14,
        help=gettext_noop("Yuan with at most two decimals, e.g. 200 or 206.50"),
    ),
    Moment("paid_at", _("Paid at"), required=False),
    Text("receipt", _("Receipt or bank reference"), required=False, max_length=60),
)
DEFERRAL_INPUTS = (
    Choice("kind", _("Deferral or instalments"), choices=PaymentKind),
    Moment("pay_by", _("New payment deadline")),
)
COURT_INPUTS = (Text("court", _("Court"), max_length=120),)
CLOSE_INPUTS = (Text("summary", _("Closing summary"), max_length=4000),)
EXTEND_INPUTS = (Integer("days", _("Extension (days)"), low=1, high=90),)

A, R = Action, Role
OFFICER, LEADER, REVIEWER = {R.ENFORCEMENT_OFFICER}, {R.LEADER}, {R.LEGAL_REVIEWER}
CLUE = {S.REGISTERED, S.FILING}
BEFORE_DECISION = {
    S.INVESTIGATING,
    S.CASE_REVIEW,
    S.LEGAL_REVIEW,
    S.REVIEWED,
    S.NOTICE,
    S.HEARING,
    S.DECIDING,
}
EXECUTING = {S.EXECUTION, S.COMPULSORY}
T = Actor

TRANSITIONS = Table(
    [
        # clue → filing (第五十四条) or not
        _t(A.PROPOSE_FILING, {S.REGISTERED}, S.FILING, OFFICER, T.TEAM, inputs=PROPOSE_INPUTS),
        _t(A.APPROVE_FILING, {S.FILING}, S.INVESTIGATING, LEADER, T.HEAD),
        _t(A.RETURN_FILING, {S.FILING}, S.REGISTERED, LEADER, T.HEAD, reason=True),
        _t(A.NOT_FILE, CLUE, S.NOT_FILED, LEADER, T.HEAD, reason=True, inputs=NOT_FILE_INPUTS),
        _t(A.TRANSFER, CLUE, S.TRANSFERRED, {*OFFICER, *LEADER}, T.TEAM, reason=True, inputs=TRANSFER_INPUTS),
        # the simple procedure (第五十一、五十二、六十八、七十一条)
        _t(A.ON_THE_SPOT, {S.REGISTERED}, S.EXECUTION, OFFICER, T.TEAM, inputs=ON_THE_SPOT_INPUTS),
        _t(A.HAND_OVER, EXECUTING, SAME, OFFICER, T.TEAM),
        # investigation (第四十二、五十五、五十六条)
        _t(A.ADD_EVIDENCE, {S.INVESTIGATING}, SAME, OFFICER, T.TEAM, attachments=True, inputs=EVIDENCE_INPUTS),
        _t(A.PRESERVE, {S.INVESTIGATING}, SAME, LEADER, T.HEAD, inputs=PRESERVE_INPUTS),
        _t(A.RELEASE, BEFORE_DECISION, SAME, OFFICER, T.TEAM, inputs=RELEASE_INPUTS),
        _t(A.CONCLUDE, {S.INVESTIGATING}, S.CASE_REVIEW, OFFICER, T.TEAM, inputs=CONCLUDE_INPUTS),
        # review (第五十七、五十八条)
        _t(A.APPROVE_REVIEW, {S.CASE_REVIEW}, S.REVIEWED, LEADER, T.HEAD),
        _t(A.SEND_LEGAL_REVIEW, {S.CASE_REVIEW}, S.LEGAL_REVIEW, {*OFFICER, *LEADER}, T.TEAM),
        _t(A.RETURN_INVESTIGATION, {S.CASE_REVIEW}, S.INVESTIGATING, LEADER, T.HEAD, reason=True),
        _t(A.PASS_LEGAL_REVIEW, {S.LEGAL_REVIEW}, S.REVIEWED, REVIEWER, T.REVIEWER, inputs=OPINION_INPUTS),
        _t(A.FAIL_LEGAL_REVIEW, {S.LEGAL_REVIEW}, S.INVESTIGATING, REVIEWER, T.REVIEWER, reason=True),
        # notice, statement, hearing (第四十四、四十五、六十二、六十三、六十四条)
        _t(A.NOTIFY, {S.REVIEWED}, S.NOTICE, OFFICER, T.TEAM, inputs=NOTIFY_INPUTS),
        _t(A.RECORD_STATEMENT, {S.NOTICE, S.HEARING, S.DECIDING}, SAME, OFFICER, T.TEAM, inputs=STATEMENT_INPUTS),
        _t(A.REQUEST_HEARING, {S.NOTICE}, S.HEARING, OFFICER, T.TEAM, inputs=HEARING_REQUEST_INPUTS),
        _t(A.SCHEDULE_HEARING, {S.HEARING}, SAME, OFFICER, T.TEAM, inputs=SCHEDULE_INPUTS),
        _t(A.CONCLUDE_HEARING, {S.HEARING}, S.DECIDING, OFFICER, T.TEAM, inputs=HEARING_INPUTS),
        _t(A.CLOSE_NOTICE, {S.NOTICE}, S.DECIDING, {*OFFICER, SYSTEM}, T.TEAM),
        # decision (第五十七、六十条)
        _t(A.DELIBERATE, {S.DECIDING}, SAME, LEADER, T.HEAD, inputs=DELIBERATE_INPUTS),
        _t(A.DECIDE, {S.DECIDING}, S.DECIDED, LEADER, T.HEAD, inputs=DECIDE_INPUTS),
        # service and execution (第六十一、六十六、六十七、七十二条; 行政强制法)
        _t(A.SERVE, {S.DECIDED}, S.EXECUTION, OFFICER, T.TEAM, attachments=True, inputs=SERVE_INPUTS),
        _t(A.RECORD_PAYMENT, EXECUTING, SAME, OFFICER, T.TEAM, inputs=PAYMENT_INPUTS),
        _t(A.ALLOW_DEFERRAL, {S.EXECUTION}, SAME, LEADER, T.HEAD, reason=True, inputs=DEFERRAL_INPUTS),
        _t(A.REMIND, {S.EXECUTION}, S.COMPULSORY, OFFICER, T.TEAM),
        _t(A.APPLY_COURT, {S.COMPULSORY}, SAME, LEADER, T.HEAD, inputs=COURT_INPUTS),
        _t(A.CLOSE, EXECUTING, S.CLOSED, LEADER, T.HEAD, inputs=CLOSE_INPUTS),
        _t(A.ARCHIVE, {S.CLOSED}, S.ARCHIVED, OFFICER, T.TEAM),
        # the 90-day clock (第六十条): suspended, resumed, extended by approval
        _t(A.SUSPEND_CLOCK, BEFORE_DECISION, SAME, LEADER, T.HEAD, reason=True),
        _t(A.RESUME_CLOCK, BEFORE_DECISION, SAME, LEADER, T.HEAD),
        _t(A.EXTEND, BEFORE_DECISION, SAME, LEADER, T.HEAD, reason=True, inputs=EXTEND_INPUTS),
    ],
    states=EnforcementState,
    actions=Action,
    actors=Actor,
    roles={*Role.values, SYSTEM},
    reserved={"case"},  # enforcement_act(case=...)
)  # fmt: skip
