"""Where a filed case should go, from its place and its category, with the reason in words.

1. The point lies in a social entity's responsibility zone (a shop's 门前三包 stretch, a
   property manager's estate, a contractor's area) and the category is one that kind of entity
   must handle itself (``EntityDuty``) → that entity.
2. Otherwise the category's default handling unit: its community, its street, or the
   functional department with the category's function.
3. Otherwise the street, and without a street the district.

A dispatcher sees the proposal and its explanation and may dispatch elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.events.models import Case, EntityDuty
from cityloop.geo.locate import LocateError, locate
from cityloop.geo.models import ResponsibilityZone
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit


@dataclass(frozen=True)
class Proposal:
    unit: Unit
    rule: str  # entity_zone, community, street, department, fallback
    reason: Any  # a lazy, translatable message
    zone: ResponsibilityZone | None = None


def route_proposal(case: Case) -> Proposal:
    """The unit a case should be dispatched to, and why."""
    category = case.category
    if category is not None:
        entity = _entity_in_charge(case)
        if entity is not None:
            return entity
        by_category = _by_category(case)
        if by_category is not None:
            return by_category
    return _fallback(case)


def _entity_in_charge(case: Case) -> Proposal | None:
    if case.lon is None or case.lat is None:
        return None
    try:
        zones = locate(case.lon, case.lat).zones
    except LocateError:
        return None
    duties = set(
        EntityDuty.objects.filter(category=case.category).values_list("entity_kind", flat=True)
    )
    # The most specific zone first: a shop's frontage before an estate before a street's
    # cleaning contract.
    candidates = (
        ResponsibilityZone.objects.filter(
            pk__in=[z.id for z in zones], owner__entity_kind__in=duties
        )
        .select_related("owner")
        .order_by("area_m2", "id")
    )
    for zone in candidates:
        if zone.owner.entity_kind in duties:
            reason = lazy_format(
                _(
                    "In the %(zone)s of %(owner)s; category %(category)s is handled by "
                    "the social entity itself."
                ),
                {
                    "zone": zone.get_kind_display(),
                    "owner": zone.owner.name,
                    "category": case.category.name,
                },
            )
            return Proposal(zone.owner, "entity_zone", reason, zone)
    return None


def _by_category(case: Case) -> Proposal | None:
    category = case.category
    kind = category.handler_unit_kind
    if kind in (UnitKind.COMMUNITY, UnitKind.SOCIAL_ENTITY) and case.community_id:
        reason = lazy_format(
            _("Category %(category)s is handled by the community; the place is in %(unit)s."),
            {"category": category.name, "unit": case.community.name},
        )
        return Proposal(case.community, "community", reason)
    if kind == UnitKind.STREET and case.street_id:
        reason = lazy_format(
            _("Category %(category)s is handled by the street; the place is in %(unit)s."),
            {"category": category.name, "unit": case.street.name},
        )
        return Proposal(case.street, "street", reason)
    if kind == UnitKind.DEPARTMENT and category.handler_department_function:
        department = department_for(category.handler_department_function)
        if department is not None:
            reason = lazy_format(
                _("Category %(category)s is handled by the functional department %(unit)s."),
                {"category": category.name, "unit": department.name},
            )
            return Proposal(department, "department", reason)
    return None


def department_for(function: str) -> Unit | None:
    """The department with a function, the district's before a street's."""
    return (
        Unit.objects.filter(kind=UnitKind.DEPARTMENT, function=function, is_active=True)
        .order_by("depth", "id")
        .first()
    )


def _fallback(case: Case) -> Proposal:
    if case.street_id:
        reason = lazy_format(
            _("No rule names a handling unit; the place is in %(unit)s."),
            {"unit": case.street.name},
        )
        return Proposal(case.street, "fallback", reason)
    district = Unit.objects.filter(kind=UnitKind.DISTRICT).order_by("id").first()
    return Proposal(district, "fallback", _("The place is unknown; the district decides."))
