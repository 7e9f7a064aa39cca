"""The rows of the enforcement workbench and queues: one scoped queryset each
(``selectors.cases_visible_to``), with what a row shows prefetched, so that a page's queries
do not grow with its rows.

A clock is *overdue* once its deadline has passed and *due soon* once its warning moment has,
both while it runs (not stopped, not suspended), read from the stored, indexed deadlines at
the time of the request, so that a page does not wait for the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cityloop.enforcement.choices import ClockKind, EnforcementState
from cityloop.enforcement.models import CaseClock, EnforcementCase, EnforcementEvent
from cityloop.enforcement.selectors import cases_visible_to
from cityloop.enforcement.workflow import BEFORE_DECISION, EXECUTING

S, K = EnforcementState, ClockKind
QUEUE_SIZE = 50


def running_clocks() -> QuerySet[CaseClock]:
    return CaseClock.objects.filter(stopped_at__isnull=True, suspended_at__isnull=True)


def overdue(now: datetime, kind: str | None = None) -> Exists:
    clocks = running_clocks().filter(case=OuterRef("pk"), deadline__lte=now)
    return Exists(clocks.filter(kind=kind) if kind else clocks)


def due_soon(now: datetime, kind: str | None = None) -> Exists:
    clocks = running_clocks().filter(case=OuterRef("pk"), warn_at__lte=now, deadline__gt=now)
    return Exists(clocks.filter(kind=kind) if kind else clocks)


def mine(user) -> Q:
    """The cases a user handles (named officer) or registered as a clue."""
    registered = EnforcementEvent.objects.filter(case=OuterRef("pk"), action="register", actor=user)
    handles = EnforcementCase.officers.through.objects.filter(
        enforcementcase=OuterRef("pk"), user=user
    )
    return Q(Exists(handles)) | Q(Exists(registered))


def with_rows(cases: QuerySet[EnforcementCase]) -> QuerySet[EnforcementCase]:
    """What a row shows: unit, party, violation, the live clocks (nearest first)."""
    live = CaseClock.objects.filter(stopped_at__isnull=True).order_by("deadline", "id")
    return cases.select_related("unit", "party", "violation").prefetch_related(
        Prefetch("clocks", queryset=live, to_attr="live_clocks")
    )


def workbench(user, tab: str, now: datetime) -> QuerySet[EnforcementCase]:
    cases = cases_visible_to(user)
    if tab == "mine":
        cases = cases.filter(mine(user))
    elif tab == "due":
        cases = cases.filter(due_soon(now))
    elif tab == "overdue":
        cases = cases.filter(overdue(now))
    return with_rows(cases)


def tab_counts(user, now: datetime) -> dict[str, int]:
    """How many cases each tab holds (one query each, whatever the rows)."""
    cases = cases_visible_to(user)
    return {
        "mine": cases.filter(mine(user)).count(),
        "due": cases.filter(due_soon(now)).count(),
        "overdue": cases.filter(overdue(now)).count(),
        "all": cases.count(),
    }


def legal_review(user) -> QuerySet[EnforcementCase]:
    """法制审核: the cases sent to legal review, the longest waiting first."""
    cases = cases_visible_to(user).filter(state=S.LEGAL_REVIEW).order_by("updated_at", "id")
    return with_rows(cases)


@dataclass(frozen=True)
class Queue:
    """One section of the person in charge's approvals: which cases wait for which acts."""

    key: str
    title: Any
    hint: Any

    def cases(self, user, now: datetime) -> QuerySet[EnforcementCase]:
        return with_rows(cases_visible_to(user).filter(APPROVAL_FILTERS[self.key](now)))


def _collective(now: datetime) -> Q:
    return Q(state=S.DECIDING, serious=True, deliberated_at__isnull=True)


def _decision_clock(now: datetime) -> Q:
    late = due_soon(now, K.DECISION) | overdue(now, K.DECISION)
    return Q(state__in=BEFORE_DECISION) & Q(late)


def _suspended(now: datetime) -> Q:
    suspended = CaseClock.objects.filter(
        case=OuterRef("pk"), kind=K.DECISION, stopped_at__isnull=True, suspended_at__isnull=False
    )
    return Q(state__in=BEFORE_DECISION) & Q(Exists(suspended))


def _payment(now: datetime) -> Q:
    late = due_soon(now, K.PAYMENT) | overdue(now, K.PAYMENT)
    return Q(state=S.EXECUTION, paid_at__isnull=True) & Q(late)


APPROVAL_FILTERS = {
    "filing": lambda now: Q(state=S.FILING),
    "case_review": lambda now: Q(state=S.CASE_REVIEW),
    "collective": _collective,
    "decision": lambda now: Q(state=S.DECIDING) & ~_collective(now),
    "decision_clock": _decision_clock,
    "suspended": _suspended,
    "payment": _payment,
    "closing": lambda now: Q(state__in=EXECUTING, paid_at__isnull=False),
    "court": lambda now: Q(state=S.COMPULSORY, court_applied_at__isnull=True),
}
APPROVALS = (
    Queue(
        "filing",
        _("Filing approvals"),
        _("Proposed for filing: approve, return or do not file (第五十四条)."),
    ),
    Queue("case_review", _("Case review"), _("Investigation concluded: approve or return.")),
    Queue(
        "collective",
        _("Collective discussion"),
        _("Serious cases the leaders must discuss before deciding (第五十七条)."),
    ),
    Queue("decision", _("Decisions"), _("Notice closed: decide (第五十七条, 第六十条).")),
    Queue(
        "decision_clock",
        _("90-day clock due soon or overdue"),
        _("Extend or suspend the decision period by approval (第六十条)."),
    ),
    Queue("suspended", _("Suspended 90-day clocks"), _("Resume the decision period.")),
    Queue(
        "payment",
        _("Payment due"),
        _("Approve a deferral or instalments when the party asks (第六十六条)."),
    ),
    Queue("closing", _("Paid: close the case"), _("The fine is paid: close the case.")),
    Queue(
        "court",
        _("Compulsory execution"),
        _("The reminder went unheeded: apply to the court (行政强制法第五十三条)."),
    ),
)
