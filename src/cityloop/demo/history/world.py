"""The constant part of the demo year, loaded once: categories with their filing conditions and
limits, units, the demo users who act, the places to put cases, and a fast routing equivalent.

Nothing here grows with the number of cases. Routing gives the same answers as
``cityloop.events.selectors.routing.route_proposal`` (the tests compare them on generated
cases) without a query per case: zones come from the batch locate, duties and departments are
loaded once, and each reason is rendered once per (rule, category, unit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cityloop.categories.models import FilingCondition, MinorCategory
from cityloop.categories.selectors import condition_limit
from cityloop.core.i18n import lazy_format
from cityloop.demo.history import mix
from cityloop.demo.history.places import Places
from cityloop.events import rules
from cityloop.events.choices import Stage, Urgency
from cityloop.events.models import EntityDuty
from cityloop.events.services import deadlines
from cityloop.geo.choices import ZoneKind
from cityloop.geo.index import get_index
from cityloop.geo.models import ResponsibilityZone
from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import Unit, User
from cityloop.worktime.choices import ClockKind
from cityloop.worktime.clock import SHANGHAI, WHOLE_DAY
from cityloop.worktime.facts import current_facts


class HistoryUnavailable(RuntimeError):
    """The demo district or the catalogue lacks something the history needs."""


@dataclass(frozen=True)
class Actor:
    """Who acts in a history entry: a demo user, or a unit without an account, or the system."""

    user_id: int | None
    unit_id: int | None
    label: str


@dataclass
class Category:
    """A catalogue category as the demo uses it: its mix entry, conditions and handler."""

    mix: mix.CategoryMix
    minor: MinorCategory
    conditions: list[FilingCondition]
    weights: list[float]
    duties: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        return self.mix.code

    @property
    def name(self) -> str:
        return self.minor.name


@dataclass(frozen=True)
class Route:
    unit: Unit
    reason: str
    zone_id: int | None = None


@dataclass
class Staff:
    """The demo users by role: the district's centre, and the local ones by unit."""

    centre: dict[str, Actor] = field(default_factory=dict)
    dispatchers: dict[int, Actor] = field(default_factory=dict)  # street id → dispatcher
    inspectors: dict[int, Actor] = field(default_factory=dict)  # street/community id
    handlers: dict[int, Actor] = field(default_factory=dict)  # unit id → handler


class World:
    """Everything the generator reads that does not change while it runs."""

    def __init__(self) -> None:
        self.district = Unit.objects.filter(kind=UnitKind.DISTRICT).order_by("id").first()
        if self.district is None:
            raise HistoryUnavailable("build the demo district first (cityloop demo)")
        self.units = {u.pk: u for u in Unit.objects.filter(is_active=True).order_by("id")}
        self.index = get_index()
        self.categories = _categories()
        self.departments = _departments(self.units)
        self.department_list = sorted(
            (u for u in self.units.values() if u.kind == UnitKind.DEPARTMENT), key=lambda u: u.pk
        )
        self.communities_of: dict[int, list[Unit]] = {}
        for unit in self.units.values():
            if unit.kind == UnitKind.COMMUNITY:
                self.communities_of.setdefault(unit.parent_id, []).append(unit)
        self.zones = _zones()
        self.staff = _staff(self.district)
        self.places = Places(self.index, self.units)
        self.warning_share = deadlines.warning_share()
        self.entity_cap = timedelta(
            minutes=int(getattr(settings, "CITYLOOP_ENTITY_CORRECTION_MINUTES", 120))
        )
        self.office = current_facts().spans(None)  # the default office periods (µs of the day)
        self._stage_limits: dict[tuple[str, str], deadlines.Limit | None] = {}
        self._handle_limits: dict[tuple[int, str, str], deadlines.Limit] = {}
        self._reasons: dict[tuple, str] = {}

    # --- limits -------------------------------------------------------------------------
    def stage_limit(self, stage: str, urgency: str) -> deadlines.Limit | None:
        """The limit of a stage other than handling (deadlines.stage_limit, cached)."""
        key = (stage, urgency)
        if key not in self._stage_limits:
            self._stage_limits[key] = deadlines.stage_limit(SimpleNamespace(urgency=urgency), stage)
        return self._stage_limits[key]

    def handle_limit(self, condition: FilingCondition, area_class: str, urgency: str):
        """The handling limit of a filing condition in an area class (cached)."""
        key = (condition.pk, area_class, urgency)
        if key not in self._handle_limits:
            duration, clock = condition_limit(condition, area_class)
            if urgency == Urgency.URGENT:
                clock = ClockKind.CONTINUOUS
            self._handle_limits[key] = deadlines.Limit(duration, clock)
        return self._handle_limits[key]

    def working_time_at_most(self, start: datetime, end: datetime, clock: str) -> timedelta:
        """An upper bound of the working time between two moments: the default office
        periods of every day between, holidays not taken off. Cheap, and enough to show that
        a centre's or an inspector's stage cannot have reached its warning yet."""
        if clock == ClockKind.CONTINUOUS:
            return end - start
        first, last = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
        day, total = first.date(), 0
        low = _micro_of_day(first)
        while day <= last.date():
            high = _micro_of_day(last) if day == last.date() else WHOLE_DAY
            total += sum(max(0, min(e, high) - max(s, low)) for s, e in self.office)
            day, low = day + timedelta(days=1), 0
        return timedelta(microseconds=total)

    # --- routing ------------------------------------------------------------------------
    def route(self, category: Category, community: Unit, street: Unit, zone_ids) -> Route:
        """route_proposal without queries: entity zone duty, then the category's default."""
        candidates = [
            self.zones[z]
            for z in zone_ids
            if z in self.zones and self.zones[z].owner_kind in category.duties
        ]
        if candidates:
            zone = min(candidates, key=lambda z: (z.area_m2, z.id))
            owner = self.units[zone.owner_id]
            reason = self._reason("entity", category, owner, zone.kind)
            return Route(owner, reason, zone.id)
        kind = category.minor.handler_unit_kind
        if kind in (UnitKind.COMMUNITY, UnitKind.SOCIAL_ENTITY):
            return Route(community, self._reason("community", category, community))
        if kind == UnitKind.STREET:
            return Route(street, self._reason("street", category, street))
        if kind == UnitKind.DEPARTMENT:
            department = self.departments.get(category.minor.handler_department_function)
            if department is not None:
                return Route(department, self._reason("department", category, department))
        return Route(street, self._reason("fallback", category, street))

    def escalation_reason(self, unit: Unit) -> str:
        """handlers.on_escalate's routing reason for the unit above (rendered once a unit)."""
        key = ("escalated", unit.pk)
        if key not in self._reasons:
            self._reasons[key] = rules.escalation_reason(unit.name)
        return self._reasons[key]

    def _reason(self, rule: str, category: Category, unit: Unit, zone_kind: str = "") -> str:
        key = (rule, category.key, category.mix.kind, unit.pk, zone_kind)
        if key not in self._reasons:
            self._reasons[key] = str(_reason_text(rule, category, unit, zone_kind))
        return self._reasons[key]

    def wrong_unit(self, unit: Unit, spot, pick: float) -> Unit:
        """A plausible wrong first dispatch (the unit then returns it, 退回)."""
        if unit.kind == UnitKind.DEPARTMENT:
            others = [d for d in self.department_list if d.pk != unit.pk]
            return others[int(pick * len(others))]
        if unit.kind == UnitKind.COMMUNITY:
            others = [c for c in self.communities_of.get(unit.parent_id, []) if c.pk != unit.pk]
            return others[int(pick * len(others))] if others else spot.street
        if unit.kind == UnitKind.STREET:
            return self.departments.get("urban_management") or self.department_list[0]
        return spot.community

    # --- actors -------------------------------------------------------------------------
    def handler(self, unit: Unit) -> Actor:
        """The unit's handler account, or the unit itself when it has none."""
        found = self.staff.handlers.get(unit.pk)
        return found if found is not None else Actor(None, unit.pk, unit.name)

    def has_account(self, unit: Unit) -> bool:
        return unit.pk in self.staff.handlers

    def centre(self, role: str) -> Actor:
        return self.staff.centre[role]

    def inspector(self, community_id: int, street_id: int, pick: float) -> Actor:
        """The local inspector now and then where one exists, else the district's."""
        for unit_id, share in ((community_id, 0.6), (street_id, 0.4)):
            local = self.staff.inspectors.get(unit_id)
            if local is not None and pick < share:
                return local
        return self.staff.centre[Role.INSPECTOR]

    def dispatcher(self, street_id: int, pick: float) -> Actor:
        """A street with a dispatch sub-centre dispatches half of its own cases."""
        local = self.staff.dispatchers.get(street_id)
        return local if local is not None and pick < 0.5 else self.staff.centre[Role.DISPATCHER]


@dataclass(frozen=True)
class ZoneInfo:
    id: int
    kind: str
    owner_id: int
    owner_kind: str
    area_m2: float


def _micro_of_day(moment: datetime) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + (
        moment.microsecond
    )


def _reason_text(rule: str, category: Category, unit: Unit, zone_kind: str) -> Any:
    """The reason texts of cityloop.events.selectors.routing, word for word."""
    if rule == "entity":
        return lazy_format(
            _(
                "In the %(zone)s of %(owner)s; category %(category)s is handled by "
                "the social entity itself."
            ),
            {"zone": ZoneKind(zone_kind).label, "owner": unit.name, "category": category.name},
        )
    messages = {
        "community": _(
            "Category %(category)s is handled by the community; the place is in %(unit)s."
        ),
        "street": _("Category %(category)s is handled by the street; the place is in %(unit)s."),
        "department": _("Category %(category)s is handled by the functional department %(unit)s."),
    }
    if rule in messages:
        return lazy_format(messages[rule], {"category": category.name, "unit": unit.name})
    return lazy_format(
        _("No rule names a handling unit; the place is in %(unit)s."), {"unit": unit.name}
    )


def _categories() -> list[Category]:
    minors = {
        (m.major.kind, m.major.code, m.code): m
        for m in MinorCategory.objects.select_related("major").filter(is_active=True)
    }
    conditions: dict[int, list[FilingCondition]] = {}
    for condition in FilingCondition.objects.order_by("minor_id", "sequence"):
        conditions.setdefault(condition.minor_id, []).append(condition)
    duties: dict[int, set[str]] = {}
    for category_id, kind in EntityDuty.objects.values_list("category_id", "entity_kind"):
        duties.setdefault(category_id, set()).add(kind)
    found = []
    for entry in mix.CATEGORIES:
        major, minor_code = entry.code.split("-")
        minor = minors.get((entry.kind, major, minor_code))
        if minor is None or not conditions.get(minor.pk):
            raise HistoryUnavailable(f"the catalogue lacks {entry.kind} {entry.code}")
        rows = conditions[minor.pk]
        weights = [0.6 if n == 0 else 0.4 / (len(rows) - 1) for n in range(len(rows))]
        found.append(Category(entry, minor, rows, weights, frozenset(duties.get(minor.pk, ()))))
    return found


def _departments(units: dict[int, Unit]) -> dict[str, Unit]:
    """routing.department_for for every function: the shallowest, then the first by id."""
    found: dict[str, Unit] = {}
    for unit in sorted(units.values(), key=lambda u: (u.depth, u.pk)):
        if unit.kind == UnitKind.DEPARTMENT and unit.function not in found:
            found[unit.function] = unit
    return found


def _zones() -> dict[int, ZoneInfo]:
    rows = ResponsibilityZone.objects.filter(is_active=True).values_list(
        "id", "kind", "owner_id", "owner__entity_kind", "area_m2"
    )
    return {r[0]: ZoneInfo(r[0], r[1], r[2], r[3] or "", r[4]) for r in rows}


def _staff(district: Unit) -> Staff:
    staff = Staff()
    users = (
        User.objects.filter(unit__isnull=False, is_active=True)
        .select_related("unit")
        .prefetch_related("role_grants")
        .order_by("id")
    )
    for user in users:
        actor = Actor(user.pk, user.unit_id, _user_label(user))
        for role in sorted(g.role for g in user.role_grants.all()):
            if user.unit_id == district.pk:
                staff.centre.setdefault(role, actor)
            elif role == Role.DISPATCHER and user.unit.kind == UnitKind.STREET:
                staff.dispatchers.setdefault(user.unit_id, actor)
            elif role == Role.INSPECTOR:
                staff.inspectors.setdefault(user.unit_id, actor)
            elif role == Role.HANDLER:
                staff.handlers.setdefault(user.unit_id, actor)
    for role in (Role.ACCEPTOR, Role.SHIFT_LEADER, Role.DISPATCHER, Role.INSPECTOR, Role.LEADER):
        if role not in staff.centre:
            raise HistoryUnavailable(f"the demo district has no {role} at the district")
    return staff


def _user_label(user: User) -> str:
    """transitions._label: "<unit> · <name>"."""
    name = user.display_name or user.get_username()
    return f"{user.unit.display_name} · {name}" if user.unit else name


NON_HANDLE_STAGES = (
    Stage.ACCEPT,
    Stage.CONFIRM,
    Stage.FILE,
    Stage.DISPATCH,
    Stage.VERIFY,
    Stage.CLOSE,
)
