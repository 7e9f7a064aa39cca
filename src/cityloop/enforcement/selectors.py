"""Reads of the enforcement app: what a user may see, the rules in force, officers, parties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.core.refusals import BadInput
from cityloop.enforcement.choices import CASE_STATES, ClockState, Outcome
from cityloop.enforcement.models import (
    CaseClock,
    Credential,
    EnforcementCase,
    Party,
    ProcedureRules,
)
from cityloop.enforcement.rules import Thresholds
from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import Unit, User


def cases_visible_to(user) -> QuerySet[EnforcementCase]:
    """A street's team sees its street's cases; the district (the bureau) sees all."""
    return EnforcementCase.objects.visible_to(user)


# The list's clock filter: a case with a live clock in this stored state (the sweep turns them).
CLOCK_FILTERS = {"due_soon": ClockState.WARNING, "overdue": ClockState.OVERDUE}


@dataclass(frozen=True)
class CaseFilter:
    """What the lists (the API's, the pages') filter enforcement cases by."""

    state: list[str] | None = None
    procedure: str | None = None
    category: str | None = None  # the violation's category (choices.Category)
    unit: str | None = None  # the team's unit by division code (a street's 9 digits)
    mine: bool = False  # cases on which the user is one of the handling officers
    clock: str | None = None  # a key of CLOCK_FILTERS
    q: str | None = None  # in the number or the title


def live_clocks() -> Prefetch:
    """The clocks still running, soonest first, as ``case.live_clocks`` (one query a page)."""
    running = CaseClock.objects.filter(stopped_at__isnull=True).order_by("deadline", "id")
    return Prefetch("clocks", queryset=running, to_attr="live_clocks")


def cases_for(user, filters: CaseFilter) -> QuerySet[EnforcementCase]:
    """The cases a user may see, filtered as the lists ask, newest clue first."""
    f = filters
    cases = cases_visible_to(user).select_related("unit", "violation", "party")
    if f.state:
        cases = cases.filter(state__in=f.state)
    if f.procedure:
        cases = cases.filter(procedure=f.procedure)
    if f.category:
        cases = cases.filter(violation__category=f.category)
    if f.unit:
        cases = cases.filter(unit__code=f.unit.strip())
    if f.mine:
        cases = cases.filter(officers=user) if user.is_authenticated else cases.none()
    if f.clock:
        turned = CaseClock.objects.filter(
            case=OuterRef("pk"), stopped_at__isnull=True, clock_state=CLOCK_FILTERS[f.clock]
        )
        cases = cases.filter(Exists(turned))
    if f.q and f.q.strip():
        q = f.q.strip()
        cases = cases.filter(Q(number__icontains=q) | Q(title__icontains=q))
    return cases.prefetch_related(live_clocks()).order_by("-registered_at", "-id")


NO_RULES = _(
    "No procedure rules are in force on %(day)s: an administrator must add them "
    "(administration → enforcement → procedure rules)."
)


def rules_on(day: date | None) -> ProcedureRules:
    """The procedure rules in force on ``day`` (today by default); none in force is an
    administrator's task, said as a refusal."""
    day = day or timezone.localdate()
    found = ProcedureRules.objects.filter(effective_from__lte=day).order_by("-effective_from")
    rules = found.first()
    if rules is None:
        raise BadInput(
            lazy_format(NO_RULES, {"day": day.isoformat()}), field="rules", code="no_rules"
        )
    return rules


def thresholds(rules: ProcedureRules) -> Thresholds:
    return Thresholds(
        hearing_fine_person=rules.hearing_fine_person,
        hearing_fine_organisation=rules.hearing_fine_organisation,
        legal_review_fine=rules.legal_review_fine,
        collective_fine=rules.collective_fine,
    )


def officers_for(case: EnforcementCase) -> QuerySet[User]:
    """The officers a page offers for an act on ``case``: enforcement officers of its unit."""
    return (
        User.objects.filter(
            is_active=True, unit=case.unit_id, role_grants__role=Role.ENFORCEMENT_OFFICER
        )
        .distinct()
        .order_by("display_name", "username")
    )


def credentialed(user_ids: set[int], on: date) -> set[int]:
    """Which of ``user_ids`` hold a valid enforcement credential on ``on`` (第四十二条)."""
    return set(
        Credential.objects.filter(
            user_id__in=user_ids, valid_from__lte=on, valid_until__gte=on, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def earlier_cases(party: Party, *, before: EnforcementCase | None = None) -> QuerySet:
    """The party's earlier enforcement cases (filed or decided on the spot)."""
    found = EnforcementCase.objects.filter(party=party, state__in=CASE_STATES)
    if before is not None:
        found = found.exclude(pk=before.pk)
    return found


def earlier_same_violation(party: Party, code: str, *, before: EnforcementCase) -> QuerySet:
    """Earlier cases of the party for the same violation that ended in a penalty: whether a
    first violation 首违 (第三十三条) can be proposed."""
    return earlier_cases(party, before=before).filter(violation__code=code, outcome=Outcome.PENALTY)


def may_see_identity(user, case: EnforcementCase) -> bool:
    """A party's ID number and phone are shown whole to the case's officers and to reviewers
    and leaders who can act on it; masked to everyone else."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if user.has_role(Role.LEGAL_REVIEWER):
        return True
    if user.has_role(Role.LEADER) and user.unit_id is not None:
        return user.unit_id == case.unit_id or user.unit.kind == UnitKind.DISTRICT
    return case.officers.filter(pk=user.pk).exists()


def same_act_fined(case: EnforcementCase) -> QuerySet[EnforcementCase]:
    """Other cases of the same party for the same act (the same closed-loop case or evidence
    package, or the same violation on the same day) already fined: 第二十九条, no second fine."""
    if case.party_id is None:
        return EnforcementCase.objects.none()
    same = Q()
    if case.source_case_id:
        same |= Q(source_case_id=case.source_case_id)
    if case.source_package_id:
        same |= Q(source_package_id=case.source_package_id)
    if case.violation_id and case.occurred_at:
        same |= Q(violation__code=case.violation.code, occurred_at__date=case.occurred_at.date())
    if not same:
        return EnforcementCase.objects.none()
    return (
        EnforcementCase.objects.filter(same, party_id=case.party_id, fine__gt=0)
        .exclude(pk=case.pk)
        .filter(decided_at__isnull=False)
    )


def figures_scope(user) -> Unit | None:
    """The street whose figures a user sees by default: their own street (a street's or a
    community's staff); None (the whole district) for the district's staff and superusers."""
    unit = None if user.is_superuser else user.unit
    while unit is not None and unit.kind not in (UnitKind.STREET, UnitKind.DISTRICT):
        unit = unit.parent
    return unit if unit is not None and unit.kind == UnitKind.STREET else None
