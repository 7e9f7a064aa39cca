"""Who may open the command centre."""

from __future__ import annotations

from cityloop.org.choices import Role

# The leaders and the people on the centre's desks (受理、派遣、值班长), at any tier; each sees
# the cases of their own unit's scope (``Case.objects.visible_to``).
CENTRE_ROLES = (
    Role.LEADER,
    Role.SHIFT_LEADER,
    Role.DISPATCHER,
    Role.ACCEPTOR,
    Role.ADMINISTRATOR,
)


def may_see_centre(user) -> bool:
    """Staff who watch the big screen: superusers and the roles of ``CENTRE_ROLES``."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or user.has_role(*CENTRE_ROLES)
