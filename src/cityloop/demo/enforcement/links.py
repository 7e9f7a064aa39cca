"""Where the demo year's clues come from besides patrols and complaints: closed-loop cases of
the year referred to enforcement (移送执法), and sealed waste evidence packages of the sorting
year's raw days (the package's items become the case's evidence, ``clue_from_package``)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from cityloop.categories.models import MinorCategory
from cityloop.core.progress import Progress
from cityloop.core.refusals import BadInput
from cityloop.demo.enforcement.story import office
from cityloop.demo.history import texts
from cityloop.enforcement.choices import Category, PartyKind
from cityloop.enforcement.figures import CLOSED_LOOP_CATEGORIES, CLOSED_LOOP_KIND
from cityloop.enforcement.services import clue_from_package, enforcement_act
from cityloop.events.models import Case, CaseEvent
from cityloop.events.workflow import TRANSITIONS as LOOP_TRANSITIONS
from cityloop.org.codes import make_id_number
from cityloop.worktime.clock import SHANGHAI

FIGURE_CATEGORY = {"ads_removed": Category.ADS}  # the figures' keys that differ
REFER = "refer"


@dataclass
class Referable:
    """A closed-loop case a clue was referred from, and its state when it was referred."""

    id: int
    ticket: str
    description: str
    address: str
    state: str = ""
    at: datetime | None = None


class Candidates:
    """The year's closed-loop cases of the mapped categories, by (enforcement category,
    street), each referred at most once."""

    def __init__(self, pools: dict[tuple[str, int], list[tuple]], now: datetime) -> None:
        self.pools, self.now = pools, now

    def take(self, plan: Any, rng: random.Random) -> Referable | None:
        pool = self.pools.get((plan.category, plan.street.pk)) or []
        for _ in range(4):
            if not pool:
                return None
            pk, ticket, description, address, reported = pool.pop(rng.randrange(len(pool)))
            at = reported + timedelta(hours=rng.randint(2, 48), minutes=rng.randint(0, 59))
            if at >= self.now - timedelta(hours=1):
                continue
            state = (
                CaseEvent.objects.filter(case_id=pk, at__lte=at)
                .order_by("-at", "-id")
                .values_list("to_state", flat=True)
                .first()
            )
            if state and LOOP_TRANSITIONS[REFER].allows_state(state):
                return Referable(pk, ticket, description, address, state, at)
        return None


def referable(first: date, now: datetime, wanted: list[Any]) -> Candidates:
    """The candidates (one query for the categories, one for the cases)."""
    if not wanted:
        return Candidates({}, now)
    match, figure_of = Q(), {}
    for key, codes in CLOSED_LOOP_CATEGORIES.items():
        for major, minor in codes:
            match |= Q(major__code=major, code=minor)
            figure_of[(major, minor)] = FIGURE_CATEGORY.get(key, key)
    rows = MinorCategory.objects.filter(match, major__kind=CLOSED_LOOP_KIND).values_list(
        "pk", "major__code", "code"
    )
    category_of = {pk: figure_of[(major, minor)] for pk, major, minor in rows}
    cases = (
        Case.objects.filter(
            category_id__in=category_of,
            street__isnull=False,
            reported_at__gte=datetime.combine(first, datetime.min.time(), SHANGHAI),
            reported_at__lt=now - timedelta(days=2),
        )
        .order_by("reported_at", "id")
        .values_list(
            "pk", "ticket", "description", "address", "reported_at", "category_id", "street_id"
        )
    )
    pools: dict[tuple[str, int], list[tuple]] = {}
    for pk, ticket, description, address, reported, category_id, street_id in cases:
        key = (str(category_of[category_id]), street_id)
        pools.setdefault(key, []).append((pk, ticket, description, address, reported))
    return Candidates(pools, now)


# --- sealed waste evidence packages -----------------------------------------------------------
PACKAGES = 8  # households whose repeated failure to sort is sealed and referred


def package_clues(staff: Any, now: datetime, violations: dict[str, Any], progress: Progress) -> int:
    """Seal the raw days' worst-sorting households' incidents, make each package a clue, and
    propose and approve its filing (GS-01), all through the services. Without the sorting
    year's raw records there is nothing to seal."""
    from cityloop.devices.choices import MessageKind
    from cityloop.devices.models import Record
    from cityloop.sorting.evidence import seal_package
    from cityloop.sorting.models import Household

    start = now - timedelta(days=4)
    found = (
        Record.objects.filter(
            kind=MessageKind.DISPOSAL,
            is_correct=False,
            household__isnull=False,
            occurred_at__gte=start,
            occurred_at__lt=now - timedelta(hours=8),
        )
        .values("household")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.CITYLOOP_EVIDENCE_MIN_INCIDENTS)
        .order_by("-n", "household")[:PACKAGES]
    )
    households = Household.objects.select_related("community__parent", "point__community__parent")
    teams = {t.street.pk: t for t in staff.teams}
    rng, made = random.Random(now.toordinal()), 0
    for n, row in enumerate(found):
        household = households.get(pk=row["household"])
        community = household.community or getattr(household.point, "community", None)
        team = teams.get(getattr(community, "parent_id", None))
        if team is None:
            continue
        sealed_at = now - timedelta(hours=7) + timedelta(minutes=20 * n)
        officer, partner = (
            team.officers[n % len(team.officers)],
            team.officers[(n + 1) % len(team.officers)],
        )
        try:
            package = seal_package(
                household=household, start=start, end=sealed_at, by=officer, now=sealed_at
            )
        except BadInput:
            continue
        case = clue_from_package(
            actor=officer, package=package, now=sealed_at + timedelta(minutes=5)
        )
        _file(
            case, package, officer, partner, team.leader, violations["GS-01"], rng, sealed_at, now
        )
        made += 1
        progress.step("evidence packages referred", made)
    return made


def _file(
    case, package, officer, partner, leader, violation, rng, at: datetime, now: datetime
) -> None:
    name, phone = texts.person(rng)
    born = date(1970, 1, 1) + timedelta(days=rng.randrange(365 * 30))
    identity = make_id_number(f"440303{born:%Y%m%d}{rng.randrange(1000):03d}")
    case = enforcement_act(
        actor=officer,
        case=case,
        action="propose_filing",
        now=at + timedelta(minutes=40),
        party_kind=PartyKind.PERSON,
        party_name=name,
        party_identity=identity,
        party_phone=phone,
        party_address=str(package.household),
        violation=violation.pk,
        occurred_at=package.period_end - timedelta(hours=1),
        facts=f"经智能设备记录，该户多次未按规定分类投放生活垃圾（证据包{package.number}）",
        officers=[{"officer": partner.pk}],
    )
    approve_at = office(rng, at + timedelta(hours=1), 0, 0)
    if approve_at < now:
        enforcement_act(actor=leader, case=case, action="approve_filing", now=approve_at)


__all__ = ["Candidates", "package_clues", "referable"]
