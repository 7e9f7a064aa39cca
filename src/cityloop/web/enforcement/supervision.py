"""The bureau's supervision figures 执法监督: aggregate queries over the cases the user may
see (``selectors.cases_visible_to``), registered in a period; a fixed number of queries.

- cases: filed or decided on the spot (``choices.CASE_STATES``), by street, category,
  procedure and outcome, with the fines decided and paid;
- clues registered, and of them not filed or transferred;
- overdue clocks now, by clock (running clocks past their deadline, whenever registered);
- the legal review pass rate: reviews passed of reviews concluded (passed or returned) in the
  period, from the cases' history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from cityloop.enforcement.choices import (
    CASE_STATES,
    OPEN_CASE_STATES,
    Category,
    ClockKind,
    EnforcementState,
    Outcome,
    Procedure,
)
from cityloop.enforcement.models import EnforcementEvent
from cityloop.enforcement.selectors import cases_visible_to
from cityloop.enforcement.workflow import Action
from cityloop.web.enforcement.queues import running_clocks

ZERO = Decimal(0)
UNDECIDED = _("Not decided yet")
NO_VIOLATION = _("No violation named")


@dataclass
class Figures:
    cases: int
    open_cases: int
    fines: Decimal
    paid: Decimal
    clues: int
    not_filed: int
    by_street: list[dict]
    by_category: list[dict]
    by_procedure: list[dict]
    by_outcome: list[dict]
    overdue: list[dict]
    overdue_total: int
    reviews_passed: int
    reviews_returned: int

    @property
    def review_pass_rate(self) -> float | None:
        total = self.reviews_passed + self.reviews_returned
        return None if total == 0 else round(100 * self.reviews_passed / total, 1)


def _label(choices, value: str, empty) -> str:
    return str(choices(value).label) if value in choices.values else str(empty)


def _rows(cases, field: str, choices, empty) -> list[dict]:
    found = cases.values(field).annotate(n=Count("id"), fines=Sum("fine")).order_by("-n", field)
    return [
        {"label": _label(choices, r[field] or "", empty), "n": r["n"], "fines": r["fines"] or ZERO}
        for r in found
    ]


def figures(user, start: datetime, end: datetime, now: datetime) -> Figures:
    visible = cases_visible_to(user)
    registered = visible.filter(registered_at__gte=start, registered_at__lt=end)
    cases = registered.filter(state__in=CASE_STATES)
    totals = cases.aggregate(
        n=Count("id"),
        open=Count("id", filter=Q(state__in=OPEN_CASE_STATES)),
        fines=Sum("fine"),
        paid=Sum("paid"),
    )
    clues = registered.aggregate(
        n=Count("id"),
        ended=Count(
            "id", filter=Q(state__in=(EnforcementState.NOT_FILED, EnforcementState.TRANSFERRED))
        ),
    )
    streets = (
        cases.values("unit__name", "unit__code")
        .annotate(
            n=Count("id"),
            open=Count("id", filter=Q(state__in=OPEN_CASE_STATES)),
            fines=Sum("fine"),
        )
        .order_by("unit__code")
    )
    overdue = (
        running_clocks()
        .filter(case__in=visible, deadline__lte=now)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("-n", "kind")
    )
    overdue_rows = [{"label": _label(ClockKind, r["kind"], ""), "n": r["n"]} for r in overdue]
    reviews = EnforcementEvent.objects.filter(
        case__in=visible,
        at__gte=start,
        at__lt=end,
        action__in=(Action.PASS_LEGAL_REVIEW, Action.FAIL_LEGAL_REVIEW),
    ).aggregate(
        passed=Count("id", filter=Q(action=Action.PASS_LEGAL_REVIEW)),
        returned=Count("id", filter=Q(action=Action.FAIL_LEGAL_REVIEW)),
    )
    return Figures(
        cases=totals["n"],
        open_cases=totals["open"],
        fines=totals["fines"] or ZERO,
        paid=totals["paid"] or ZERO,
        clues=clues["n"],
        not_filed=clues["ended"],
        by_street=[
            {
                "label": r["unit__name"],
                "n": r["n"],
                "open": r["open"],
                "fines": r["fines"] or ZERO,
            }
            for r in streets
        ],
        by_category=_rows(cases, "violation__category", Category, NO_VIOLATION),
        by_procedure=_rows(cases, "procedure", Procedure, ""),
        by_outcome=_rows(cases, "outcome", Outcome, UNDECIDED),
        overdue=overdue_rows,
        overdue_total=sum(r["n"] for r in overdue_rows),
        reviews_passed=reviews["passed"],
        reviews_returned=reviews["returned"],
    )


__all__ = ["Figures", "figures"]
