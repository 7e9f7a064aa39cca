"""Who may take which action on which case: role, unit and state, from the transition table."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.events.choices import ACTIVE_ASSIGNMENT_STATES, AssignmentRole, CaseState
from cityloop.events.models import Case, CaseAssignment
from cityloop.events.services.refusals import ActionRefused, StateForbids
from cityloop.events.workflow import TRANSITIONS, Action, Actor, Transition
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


def _actor_fits(user, case: Case, t: Transition) -> bool:
    unit_id = user.unit_id
    lead_roles = {AssignmentRole.SINGLE, AssignmentRole.LEAD}
    checks = {
        Actor.CENTRE: lambda: _in_centre(user, case, t),
        Actor.ASSIGNEE: lambda: (
            active_assignment(case, unit_id, set(AssignmentRole.values)) is not None
        ),
        Actor.LEAD: lambda: active_assignment(case, unit_id, lead_roles) is not None,
        Actor.ASSISTANT: lambda: (
            active_assignment(case, unit_id, {AssignmentRole.ASSIST}) is not None
        ),
        Actor.FIELD: lambda: _sees(user, case),
        Actor.REPORTER: lambda: _in_centre(user, case, t),
        Actor.ANYONE_SCOPED: lambda: _sees(user, case),
        Actor.SYSTEM: lambda: False,
    }
    return checks[t.actor]()


def check_allowed(user, case: Case, action: str) -> Transition:
    """The transition if ``user`` may take ``action`` on ``case`` now; else ``ActionRefused``."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise ActionRefused(
            lazy_format(_("There is no action “%(action)s”."), {"action": action}),
            field="action",
            code="unknown_action",
        )
    if user is not None and not (user.is_superuser or user.has_role(*t.roles)):
        roles = "、".join(str(Role(r).label) for r in sorted(t.roles))
        raise ActionRefused(
            lazy_format(
                _("Only %(roles)s may %(action)s a case."),
                {"roles": roles, "action": Action(action).label},
            ),
            code="role",
        )
    if not t.allows_state(case.state):
        raise StateForbids(
            lazy_format(
                _("A case that is “%(state)s” cannot be given “%(action)s”."),
                {"state": CaseState(case.state).label, "action": Action(action).label},
            )
        )
    if user is not None and not _actor_fits(user, case, t):
        raise ActionRefused(
            lazy_format(
                _("Your unit cannot %(action)s this case: %(who)s."),
                {"action": Action(action).label, "who": Actor(t.actor).label},
            ),
            code="unit",
        )
    return t


def allowed_actions(user, case: Case) -> list[Transition]:
    """The actions the user may take on the case now (the UI shows exactly these)."""
    allowed = []
    for action in TRANSITIONS:
        if TRANSITIONS[action].actor == Actor.SYSTEM:
            continue
        try:
            allowed.append(check_allowed(user, case, action))
        except ActionRefused:
            continue
    return allowed
