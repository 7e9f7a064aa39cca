"""Who may open the enforcement pages (docs/enforcement.md, Pages).

- The workbench, a case and its files: enforcement officers, legal reviewers and the leaders
  (persons in charge) of a street or of the district, and superusers; rows scoped by
  ``selectors.cases_visible_to`` (a street's team sees its street, the bureau all), one case
  404 alike for "missing" and "not yours".
- Registering a clue: the roles ``services.register_clue`` accepts (officers, leaders,
  dispatchers and shift leaders) of a street or the district.
- The legal-review queue: legal reviewers; the approvals queue: leaders; the supervision
  view: leaders and legal reviewers (the bureau's figures; a street's leader sees its street).
"""

from __future__ import annotations

from django.db.models import QuerySet

from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import Unit

ENFORCEMENT_ROLES = (Role.ENFORCEMENT_OFFICER, Role.LEGAL_REVIEWER, Role.LEADER)
CLUE_ROLES = (Role.ENFORCEMENT_OFFICER, Role.LEADER, Role.DISPATCHER, Role.SHIFT_LEADER)
SUPERVISION_ROLES = (Role.LEADER, Role.LEGAL_REVIEWER)
TEAM_UNIT_KINDS = (UnitKind.STREET, UnitKind.DISTRICT)


def _in_team_unit(user) -> bool:
    return user.unit is not None and user.unit.kind in TEAM_UNIT_KINDS


def _holds(user, roles) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or (_in_team_unit(user) and user.has_role(*roles))


def may_see_enforcement(user) -> bool:
    return _holds(user, ENFORCEMENT_ROLES)


def may_register_clue(user) -> bool:
    return _holds(user, CLUE_ROLES)


def may_review(user) -> bool:
    return _holds(user, (Role.LEGAL_REVIEWER,))


def may_approve(user) -> bool:
    return _holds(user, (Role.LEADER,))


def may_supervise(user) -> bool:
    return _holds(user, SUPERVISION_ROLES)


def clue_units(user) -> QuerySet[Unit]:
    """The streets whose team a user may register a clue for: their own street, or every
    street for the district's staff."""
    streets = Unit.objects.visible_to(user).filter(kind=UnitKind.STREET, is_active=True)
    return streets.order_by("code")
