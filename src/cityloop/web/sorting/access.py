"""Who may see the garbage-sorting pages, and which rows (docs/decisions/0027).

- The dashboard and point detail: every member of staff of a district, street or community
  unit (and superusers). Points are scoped by their community through
  ``Unit.objects.visible_to``: a street sees its communities' points, a community its own.
- The household lookup: of those, inspectors, leaders, administrators and enforcement
  officers. Other roles get 403; a household outside the user's units looks "not found" (404).
- A household's building and room: enforcement officers and administrators only (they serve
  notices and correct the registry); everyone else sees them masked.
"""

from __future__ import annotations

from django.db.models import QuerySet

from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import Unit
from cityloop.sorting.models import CollectionPoint, Household
from cityloop.sorting.selectors import tasks_visible_to

SORTING_UNIT_KINDS = (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY)
HOUSEHOLD_ROLES = (Role.INSPECTOR, Role.LEADER, Role.ADMINISTRATOR, Role.ENFORCEMENT_OFFICER)
ADDRESS_ROLES = (Role.ENFORCEMENT_OFFICER, Role.ADMINISTRATOR)
MASK = "***"


def may_see_sorting(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.unit is not None and user.unit.kind in SORTING_UNIT_KINDS


def may_look_up_households(user) -> bool:
    return may_see_sorting(user) and (user.is_superuser or user.has_role(*HOUSEHOLD_ROLES))


def may_see_address(user) -> bool:
    """Building and room of a household (never in lists: only on the lookup page)."""
    return may_look_up_households(user) and (user.is_superuser or user.has_role(*ADDRESS_ROLES))


def visible_units(user) -> QuerySet[Unit]:
    """District, streets and communities the user may open a dashboard for."""
    return Unit.objects.visible_to(user).filter(kind__in=SORTING_UNIT_KINDS)


def home_unit(user) -> Unit | None:
    """The unit a user's dashboard opens on: their own, or the district for a superuser
    without a unit of the three kinds."""
    if user.unit is not None and user.unit.kind in SORTING_UNIT_KINDS:
        return user.unit
    if user.is_superuser:
        return Unit.objects.filter(kind=UnitKind.DISTRICT).order_by("path").first()
    return None


def visible_points(user) -> QuerySet[CollectionPoint]:
    return CollectionPoint.objects.filter(community__in=Unit.objects.visible_to(user))


def visible_households(user) -> QuerySet[Household]:
    return Household.objects.filter(community__in=Unit.objects.visible_to(user))


def may_see_tasks(user) -> bool:
    """The collection-tasks page in the navigation: whoever sees at least one task."""
    return user.is_authenticated and tasks_visible_to(user).exists()


def may_read_evidence(user) -> bool:
    """The evidence-packages page in the navigation: the API's readers (devices.api)."""
    from cityloop.sorting.api import may_read_evidence as readers

    return user.is_authenticated and readers(user)
