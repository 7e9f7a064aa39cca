"""The administration's site: Django's admin, with the sign-in lock-out of every other door.

Installed as the default admin site (``web.admin_apps.CityLoopAdminConfig`` in
``INSTALLED_APPS``), so that ``admin.site`` and every ``@admin.register`` use it. Its login
form asks the same authentication backend as /login/ (``cityloop.web.lockout.LockoutBackend``):
failures count in the same table, a username locked on either door is locked on both, and a
locked user reads the same message, answered 429 as on /login/.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from cityloop.web.lockout import locked_message, locked_until


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in form; a locked username says so instead of "wrong password"."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            until = locked_until(self.cleaned_data.get("username") or "")
            if until is None:
                raise
            raise ValidationError(locked_message(until), code="locked") from None


class CityLoopAdminSite(admin.AdminSite):
    """系统管理: Django's admin under CityLoop's name, with the shared lock-out."""

    site_header = "CityLoop 城市管理智慧一体化平台"
    site_title = "CityLoop"
    index_title = "系统管理 Administration"
    # The index also tells administrators when next year's holiday arrangement is due.
    index_template = "worktime/admin/index.html"
    login_form = LockoutAdminAuthenticationForm

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is not None and form.is_bound and form.has_error("__all__", code="locked"):
            response.status_code = 429
        return response
