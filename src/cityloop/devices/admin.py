"""Admin of the device registry and the ingested data (in Chinese through the app's
translations).

A new device's token is shown once, on the page that follows its creation, and never again:
only its hash is stored. A lost or leaked token is replaced from the device's page (the button
"Reset token", asked once more, then ``services.device_token_reset``), and the new one is shown
once the same way. Ingested messages, records and the quarantine are read-only.
Snapshot images are stored and replaced through ``snapshots.snapshot_store``; a sealed one is
read-only here (no change, no delete). The sorting registries' admin is the sorting app's.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import bilingual
from cityloop.devices import services, snapshots
from cityloop.devices.models import Device, QuarantinedMessage, Snapshot


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "point", "truck_plate", "is_active", "last_seen_at"]
    list_select_related = ["point"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "truck_plate", "token_prefix"]
    raw_id_fields = ["point", "gateway"]
    editable = ["code", "name", "kind", "point", "truck_plate", "gateway"]
    readonly_on_change = ["token_prefix", "last_seen_at", "created_at"]

    def get_fields(self, request, obj=None):
        return self.editable if obj is None else [*self.editable, "vendor_keys", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_on_change

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            services.device_update(device=obj)
            return
        data = {name: form.cleaned_data[name] for name in self.editable}
        created, key = services.device_create(**data)
        obj.pk, obj.token_prefix, obj.created_at = (
            created.pk,
            created.token_prefix,
            created.created_at,
        )
        obj._state.adding = False
        request._device_new_token = key

    def response_add(self, request, obj, post_url_continue=None):
        """The one page that shows the token (rendered, not redirected: it is stored nowhere)."""
        return self._token_page(request, obj, request._device_new_token)

    def get_urls(self):
        reset = path(
            "<path:object_id>/reset-token/",
            self.admin_site.admin_view(self.reset_token_view),
            name="devices_device_reset_token",
        )
        return [reset, *super().get_urls()]

    def reset_token_view(self, request, object_id):
        """GET asks to confirm; POST replaces the token and shows the new one, once."""
        device = self.get_object(request, object_id)
        if device is None:
            raise Http404
        if not self.has_change_permission(request, device):
            raise PermissionDenied
        if request.method != "POST":
            context = {**self._context(request, device), "title": _("Reset the device token")}
            return TemplateResponse(request, "admin/devices/device/reset_token.html", context)
        key = services.device_token_reset(device=device)
        self.log_change(request, device, bilingual(_("Token reset")))
        return self._token_page(request, device, key)

    def _context(self, request, device) -> dict:
        return {**self.admin_site.each_context(request), "device": device, "opts": self.opts}

    def _token_page(self, request, device, key: str) -> TemplateResponse:
        context = {**self._context(request, device), "title": _("Device token"), "raw_token": key}
        return TemplateResponse(request, "admin/devices/device/created.html", context)


@admin.register(QuarantinedMessage)
class QuarantinedMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "reason", "sender", "device_code", "message_id"]
    list_select_related = ["sender"]
    list_filter = ["reason"]
    search_fields = ["message_id", "device_code", "sender__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SnapshotForm(forms.ModelForm):
    image = forms.FileField(label=_("image"))

    class Meta:
        model = Snapshot
        fields = ["device", "name"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Images behind the records' snapshot and photo names; stored through the service, and
    read-only once an evidence package sealed them."""

    form = SnapshotForm
    list_display = ["name", "device", "size", "sha256", "stored_at", "sealed_at"]
    list_select_related = ["device"]
    list_filter = [("sealed_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "device__code", "sha256"]
    raw_id_fields = ["device"]
    readonly_fields = ["file", "sha256", "size", "stored_at", "sealed_at"]

    def has_change_permission(self, request, obj=None):
        sealed = obj is not None and obj.sealed_at is not None
        return not sealed and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        sealed = obj is not None and obj.sealed_at is not None
        return not sealed and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fixed = ["device", "name"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def get_actions(self, request):
        return {}  # no bulk delete: it would reach sealed images too

    def save_model(self, request, obj, form, change) -> None:
        stored = snapshots.snapshot_store(
            device=obj.device, name=obj.name, content=form.cleaned_data["image"].read()
        )
        obj.pk, obj.file, obj.sha256 = stored.pk, stored.file, stored.sha256
        obj._state.adding = False
