"""Who may act on a case: the unit rule of each kind of actor in the transition table.

The kernel (``core.workflow.engine``) checks role, state and unit in its own order; this module
says, for a member of staff, which units count as "the centre", "the lead unit" and so on.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityloop.core.workflow.actors import CITIZEN, SYSTEM
from cityloop.events.choices import ACTIVE_ASSIGNMENT_STATES, AssignmentRole
from cityloop.events.models import Case, CaseAssignment
from cityloop.events.workflow import Action, Actor, Transition
from cityloop.org.choices import Role, UnitKind

# Actions that a street may take on cases in its own street (its dispatch sub-centre).
STREET_CENTRE_ACTIONS = frozenset(
    {Action.DISPATCH, Action.MERGE, Action.REQUEST_CANCEL, Action.ESCALATE}
)


def active_assignment(case: Case, unit_id: int | None, roles: set[str]) -> CaseAssignment | None:
    if unit_id is None:
        return None
    for a in case.assignments.all():
        if a.unit_id == unit_id and a.role in roles and a.state in ACTIVE_ASSIGNMENT_STATES:
            return a
    return None


def lead_assignment(case: Case) -> CaseAssignment | None:
    for a in case.assignments.all():
        if (
            a.role in (AssignmentRole.SINGLE, AssignmentRole.LEAD)
            and a.state in ACTIVE_ASSIGNMENT_STATES
        ):
            return a
    return None


def _in_centre(user, case: Case, t: Transition) -> bool:
    unit = user.unit
    if user.is_superuser or (unit is not None and unit.kind == UnitKind.DISTRICT):
        return True
    return (
        t.action in STREET_CENTRE_ACTIONS
        and unit is not None
        and unit.kind == UnitKind.STREET
        and case.street_id == unit.pk
    )


def _sees(user, case: Case) -> bool:
    """Whether the user can see the case; no query for those who see everything (lists)."""
    return user.sees_everything or Case.objects.visible_to(user).filter(pk=case.pk).exists()


def _assigned(roles: set[str]):
    def rule(user, case: Case, t: Transition) -> bool:
        return active_assignment(case, user.unit_id, roles) is not None

    return rule


# Whose unit may take a row's action (the table's ``actor`` column), for a member of staff; the
# system and citizens reach records by their own rule (``core.workflow.actors``).
UNIT_RULES = {
    Actor.CENTRE: _in_centre,
    Actor.ASSIGNEE: _assigned(set(AssignmentRole.values)),
    Actor.LEAD: _assigned({AssignmentRole.SINGLE, AssignmentRole.LEAD}),
    Actor.ASSISTANT: _assigned({AssignmentRole.ASSIST}),
    Actor.FIELD: lambda user, case, t: _sees(user, case),
    Actor.REPORTER: _in_centre,
    Actor.ANYONE_SCOPED: lambda user, case, t: _sees(user, case),
    Actor.SYSTEM: lambda user, case, t: False,  # rows only the system may take
}


def role_label(role: str):
    """A role's name in the docs and refusals: staff roles, then the explicit actors'."""
    if role == SYSTEM:
        return _("the system")
    if role == CITIZEN:
        return _("the reporting citizen")
    return Role(role).label
