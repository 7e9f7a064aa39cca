"""Who is told about what: the staff of a unit holding a role, and the centre's roles."""

from __future__ import annotations

from django.db.models import QuerySet

from cityloop.events.models import Case
from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import Unit, User


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
