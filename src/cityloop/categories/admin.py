"""Admin of the category catalogue (in Chinese through the app's translations).

Every save goes through a service. Catalogue rows are deactivated, not deleted: cases refer to
them. Filing conditions are edited inline under their minor category.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cityloop.categories import services
from cityloop.categories.choices import CategoryKind, TimeLimitUnit
from cityloop.categories.models import (
    AreaTimeLimit,
    DirectoryItem,
    FilingCondition,
    MajorCategory,
    MinorCategory,
)
from cityloop.categories.time_limits import time_limit_clock
from cityloop.worktime.choices import ClockKind


def units_on_clock(clock: str) -> list[str]:
    """The time-limit units counted on ``clock`` under the current settings."""
    return [unit for unit in TimeLimitUnit.values if time_limit_clock(unit=unit) == clock]


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"
    field = "major__kind"

    def lookups(self, request, model_admin):
        return CategoryKind.choices

    def queryset(self, request, queryset):
        if self.value() in CategoryKind.values:
            return queryset.filter(**{self.field: self.value()})
        return queryset


class ConditionKindFilter(KindFilter):
    field = "minor__major__kind"


class ClockFilter(admin.SimpleListFilter):
    """Filing conditions counted on a clock; the clock follows the settings (0007)."""

    title = _("clock")
    parameter_name = "clock"
    field = "time_limit_unit__in"

    def lookups(self, request, model_admin):
        return ClockKind.choices

    def queryset(self, request, queryset):
        if self.value() in ClockKind.values:
            return queryset.filter(**{self.field: units_on_clock(self.value())}).distinct()
        return queryset


class MinorClockFilter(ClockFilter):
    title = _("clock of a filing condition")
    field = "filing_conditions__time_limit_unit__in"


class NoDeleteMixin:
    """Catalogue rows are deactivated or corrected, never deleted: cases refer to them."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DirectoryItem)
class DirectoryItemAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "major_name", "standard"]
    list_filter = ["kind", "standard", "major_name"]
    search_fields = ["code", "name", "major_name"]
    ordering = ["standard", "kind", "code"]

    def save_model(self, request, obj, form, change):
        services.directory_item_save(item=obj)


@admin.register(MajorCategory)
class MajorCategoryAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["kind", "code", "name", "note"]
    list_display_links = ["code", "name"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]

    def save_model(self, request, obj, form, change):
        services.major_category_save(major=obj)


class FilingConditionInline(admin.TabularInline):
    model = FilingCondition
    extra = 0
    fields = [
        "sequence",
        "filing_condition",
        "closing_condition",
        "time_limit",
        "time_limit_unit",
        "required_action",
        "duration_hours",
        "clock",
    ]
    readonly_fields = ["time_limit_unit", "required_action", "duration_hours", "clock"]

    @admin.display(description=_("duration (hours)"))
    def duration_hours(self, obj):
        return _hours(obj)

    @admin.display(description=_("clock"))
    def clock(self, obj):
        return obj.clock.label if obj.pk else "—"


@admin.register(MinorCategory)
class MinorCategoryAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = [
        "code_path",
        "name",
        "major",
        "gbt47678_code",
        "gbt47678_name",
        "name_comparison",
        "is_local_extension",
        "handler_unit_kind",
        "handler_department_function",
        "is_active",
    ]
    list_display_links = ["code_path", "name"]
    list_filter = [
        KindFilter,
        "major",
        "is_local_extension",
        MinorClockFilter,
        "name_comparison",
        "handler_unit_kind",
        "handler_department_function",
        "is_active",
    ]
    list_select_related = ["major"]
    search_fields = ["code", "name", "major__name", "gbt47678_code", "gbt47678_name"]
    autocomplete_fields = ["directory_item"]
    inlines = [FilingConditionInline]
    actions = ["activate", "deactivate"]
    fieldsets = [
        (None, {"fields": ["major", "code", "name", "is_local_extension", "is_active"]}),
        (
            _("GB/T 47678.5-2026"),
            {"fields": ["gbt47678_code", "gbt47678_name", "name_comparison", "directory_item"]},
        ),
        (
            _("Default handling unit"),
            {"fields": ["handler_unit_kind", "handler_department_function"]},
        ),
        (_("Workflow"), {"fields": ["requires_confirmation"]}),
        (_("Source"), {"fields": ["note", "source"]}),
    ]

    def save_model(self, request, obj, form, change):
        services.minor_category_save(minor=obj)

    @admin.display(description=_("code"), ordering="code")
    def code_path(self, obj):
        return obj.code_path

    def save_formset(self, request, form, formset, change):
        conditions = formset.save(commit=False)
        for condition in formset.deleted_objects:
            services.filing_condition_delete(condition=condition)
        for condition in conditions:
            services.filing_condition_save(condition=condition)

    @admin.action(description=_("Activate the selected minor categories"))
    def activate(self, request, queryset):
        self._set_active(request, queryset, is_active=True)

    @admin.action(description=_("Deactivate the selected minor categories"))
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, is_active=False)

    def _set_active(self, request, queryset, *, is_active: bool) -> None:
        changed = services.minor_categories_set_active(minors=queryset, is_active=is_active)
        message = _("%(count)s minor categories changed.") % {"count": changed}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(FilingCondition)
class FilingConditionAdmin(admin.ModelAdmin):
    list_display = [
        "minor",
        "sequence",
        "filing_condition",
        "closing_condition",
        "time_limit",
        "time_limit_unit",
        "duration_hours",
        "clock",
    ]
    list_filter = [
        ConditionKindFilter,
        "minor__major",
        "minor__is_local_extension",
        ClockFilter,
        "time_limit_unit",
    ]
    list_select_related = ["minor__major"]
    search_fields = ["filing_condition", "closing_condition", "time_limit", "minor__name"]
    autocomplete_fields = ["minor"]
    readonly_fields = ["time_limit_amount", "time_limit_unit", "required_action"]

    @admin.display(description=_("duration (hours)"))
    def duration_hours(self, obj):
        return _hours(obj)

    @admin.display(description=_("clock"))
    def clock(self, obj):
        return obj.clock.label

    def save_model(self, request, obj, form, change):
        services.filing_condition_save(condition=obj)

    def delete_model(self, request, obj):
        services.filing_condition_delete(condition=obj)

    def delete_queryset(self, request, queryset):
        for condition in queryset:
            services.filing_condition_delete(condition=condition)


def _hours(condition: FilingCondition) -> str:
    if not condition.pk:
        return "—"
    hours = condition.duration.total_seconds() / 3600
    return f"{hours:g}"


@admin.register(AreaTimeLimit)
class AreaTimeLimitAdmin(admin.ModelAdmin):
    """Different handling limits per area class (A core, B general, C outskirts)."""

    list_display = ["condition", "area_class", "time_limit"]
    list_filter = ["area_class", "condition__minor__major__kind"]
    search_fields = ["condition__minor__name", "condition__filing_condition"]
    raw_id_fields = ["condition"]
