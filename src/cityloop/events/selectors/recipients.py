"""Who is told about what: the staff of a unit holding a role, and the centre's roles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from cityloop.events.models import Case
from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import RoleGrant, Unit, User


def unit_staff(unit: Unit | None, *roles: str) -> QuerySet:
    if unit is None:
        return User.objects.none()
    users = User.objects.filter(unit=unit, is_active=True)
    return users.filter(role_grants__role__in=roles).distinct() if roles else users


def centre_staff(*roles: str) -> QuerySet:
    return User.objects.filter(
        unit__kind=UnitKind.DISTRICT, is_active=True, role_grants__role__in=roles
    ).distinct()


def field_inspectors(case: Case) -> QuerySet:
    """Inspectors of the case's community and street; the district's when those have none."""
    units = [u for u in (case.community, case.street) if u is not None]
    local = User.objects.filter(
        unit__in=units, is_active=True, role_grants__role=Role.INSPECTOR
    ).distinct()
    return local if local.exists() else centre_staff(Role.INSPECTOR)


def staff_by_unit(unit_ids: Iterable[int], *roles: str) -> dict[tuple[int, str], list[User]]:
    """Active staff of many units holding one of ``roles``, keyed by (unit id, role): one
    query for a whole batch of cases (the deadline sweep)."""
    grants = RoleGrant.objects.filter(
        user__unit_id__in=set(unit_ids), user__is_active=True, role__in=roles
    ).select_related("user")
    by_key: dict[tuple[int, str], list[User]] = defaultdict(list)
    for grant in grants:
        by_key[(grant.user.unit_id, grant.role)].append(grant.user)
    return by_key


def centre_staff_by_role(*roles: str) -> dict[str, list[User]]:
    """The district centre's active staff holding each of ``roles`` (one query)."""
    grants = RoleGrant.objects.filter(
        user__unit__kind=UnitKind.DISTRICT, user__is_active=True, role__in=roles
    ).select_related("user")
    by_role: dict[str, list[User]] = defaultdict(list)
    for grant in grants:
        by_role[grant.role].append(grant.user)
    return by_role
