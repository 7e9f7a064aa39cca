"""What the base layout needs on every page: the navigation the user's roles allow."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityloop.org.choices import Role
from cityloop.web.enforcement import access as enforcement_access

ALL_STAFF = None
# (url, label, who sees it: roles, a rule of web.sorting.access by name, a rule taking the
# user, or ALL_STAFF: every signed-in user)
NAV = [
    (
        "/centre/",
        _("Command centre"),
        {Role.LEADER, Role.DISPATCHER, Role.SHIFT_LEADER, Role.ACCEPTOR, Role.ADMINISTRATOR},
    ),
    ("/dispatch/", _("Dispatch"), {Role.ACCEPTOR, Role.DISPATCHER, Role.SHIFT_LEADER}),
    ("/tasks/", _("My tasks"), {Role.HANDLER}),
    ("/inspect/", _("Inspection"), {Role.INSPECTOR}),
    ("/cases/", _("Cases"), ALL_STAFF),
    ("/sorting/", _("Garbage sorting"), "may_see_sorting"),  # by unit kind: web.sorting.access
    ("/sorting/tasks/", _("Collection tasks"), "may_see_tasks"),  # any task visible
    ("/sorting/evidence/", _("Evidence packages"), "may_read_evidence"),  # devices.api's rule
    ("/enforcement/", _("Enforcement"), enforcement_access.may_see_enforcement),
]


def _rule(allowed):
    from cityloop.web.sorting import access

    return getattr(access, allowed) if isinstance(allowed, str) else allowed


def nav_links(user, path: str = "") -> list[dict]:
    if not user.is_authenticated:
        return []
    roles = set() if user.is_superuser else set(user.roles)
    return [
        {"url": url, "label": label, "active": path.startswith(url)}
        for url, label, allowed in NAV
        if allowed is ALL_STAFF
        or user.is_superuser
        or (roles & allowed if isinstance(allowed, set) else _rule(allowed)(user))
    ]


def web_nav(request) -> dict:
    user = request.user
    return {
        "nav_links": nav_links(user, request.path),
        "nav_roles": [str(Role(r).label) for r in sorted(user.roles)]
        if user.is_authenticated
        else [],
    }
