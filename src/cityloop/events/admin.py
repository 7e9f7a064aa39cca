"""Administration of the loop's configuration (stage limits, entity duties) and a read-only
view of cases with their history. Cases change only through the workflow's actions."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cityloop.events.models import Case, CaseAssignment, CaseEvent, EntityDuty, StageTimeLimit
from cityloop.events.services.deadlines import stage_limits_changed


@admin.register(StageTimeLimit)
class StageTimeLimitAdmin(admin.ModelAdmin):
    list_display = ["stage", "minutes", "clock"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        stage_limits_changed()


@admin.register(EntityDuty)
class EntityDutyAdmin(admin.ModelAdmin):
    list_display = ["entity_kind", "category"]
    list_filter = ["entity_kind"]
    search_fields = ["category__name"]
    raw_id_fields = ["category"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AssignmentInline(ReadOnlyInline):
    model = CaseAssignment
    fields = ["unit", "role", "state", "deadline", "dispatched_at", "signed_at", "done_at"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "action", "from_state", "to_state", "actor_label", "comment"]
    readonly_fields = fields
    verbose_name_plural = _("history")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: a case moves only through its actions (API and web), never by editing."""

    list_display = ["ticket", "category", "state", "clock_state", "street", "reported_at"]
    list_filter = ["state", "clock_state", "source", "street"]
    search_fields = ["ticket", "description", "external_id"]
    list_select_related = ["category", "street"]
    date_hierarchy = "reported_at"
    inlines = [AssignmentInline, EventInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
