"""Admin of the Open311 interface (in Chinese through the app's translations).

A new API key is shown once, on the page that follows its creation, and never again: only its
hash is stored. Keys are deactivated, not deleted. Submissions are read-only.
"""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from cityloop.open311 import services
from cityloop.open311.models import ApiKey, Submission


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix"]
    readonly_on_change = ["prefix", "created_at", "last_used_at"]

    def get_fields(self, request, obj=None):
        return ["name"] if obj is None else ["name", "is_active", *self.readonly_on_change]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_on_change

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            services.api_key_update(api_key=obj, name=obj.name, is_active=obj.is_active)
            return
        created, raw = services.api_key_create(name=form.cleaned_data["name"])
        for name in ("pk", "prefix", "key_hash", "is_active", "created_at"):
            setattr(obj, name, getattr(created, name))
        obj._state.adding = False
        request._open311_new_key = raw

    def response_add(self, request, obj, post_url_continue=None):
        """The one page that shows the key (rendered, not redirected: it is stored nowhere)."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("API key created"),
            "api_key": obj,
            "raw_key": request._open311_new_key,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/open311/apikey/created.html", context)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["token", "case", "api_key", "account_id", "created_at"]
    list_select_related = ["case", "api_key"]
    list_filter = ["api_key"]
    search_fields = ["token", "case__ticket", "account_id", "device_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
