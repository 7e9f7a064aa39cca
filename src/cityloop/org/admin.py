"""Administration of units, users and their roles (Chinese first through i18n)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from cityloop.org.models import ApiToken, RoleGrant, Unit, User
from cityloop.org.services import unit_save


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "credit_code", "entity_kind", "function", "parent"]
    list_filter = ["kind", "entity_kind", "function", "is_active"]
    search_fields = ["name", "short_name", "code", "credit_code", "address"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    list_select_related = ["parent"]
    fieldsets = [
        (None, {"fields": ["kind", "name", "short_name", "parent", "is_active"]}),
        (_("Codes"), {"fields": ["code", "credit_code"]}),
        (_("Social entity or department"), {"fields": ["entity_kind", "function", "bureau"]}),
        (_("Contact"), {"fields": ["address", "contact_phone"]}),
        (_("Tree"), {"fields": ["path", "depth"]}),
    ]

    def save_model(self, request, obj, form, change):
        unit_save(unit=obj)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "unit", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "role_grants__role", "unit__kind"]
    search_fields = ["username", "display_name", "unit__name"]
    autocomplete_fields = ["unit"]
    inlines = [RoleGrantInline]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or ()),
        (_("CityLoop"), {"fields": ["unit", "display_name", "phone"]}),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with `cityloop api_token` (the key is shown once); here they are seen
    and switched off."""

    list_display = ["name", "user", "prefix", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
