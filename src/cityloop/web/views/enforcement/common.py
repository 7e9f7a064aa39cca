"""What the enforcement views share: the access gate and the sub-navigation."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from cityloop.web.enforcement import access

# (url name, label, who sees the link)
SUBNAV = (
    ("web:enforcement", _("Workbench"), access.may_see_enforcement),
    ("web:enforcement-clue", _("Register a clue"), access.may_register_clue),
    ("web:enforcement-phone", _("On the spot"), access.may_see_enforcement),
    ("web:enforcement-review", _("Legal review"), access.may_review),
    ("web:enforcement-approvals", _("Approvals"), access.may_approve),
    ("web:enforcement-supervision", _("Supervision"), access.may_supervise),
)


def allowed(check: Callable) -> Callable:
    """Signed in (else the login page) and passing ``check`` (one of ``access``; else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def subnav(user, current: str) -> list[dict]:
    return [
        {"name": name, "label": label, "active": name == current}
        for name, label, check in SUBNAV
        if check(user)
    ]
