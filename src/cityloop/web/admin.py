"""Administrators see failed sign-ins and unlock a username by deleting its rows."""

from django.contrib import admin

from cityloop.web.models import LoginFailure


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ("username", "at", "ip")
    list_filter = ("at",)
    search_fields = ("username", "ip")
    date_hierarchy = "at"
    readonly_fields = ("username", "at", "ip")

    def has_add_permission(self, request) -> bool:
        return False
