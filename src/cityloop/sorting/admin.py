"""Admin of the sorting registries (points and bins, households and cards, venues, trucks) and,
read-only, of what the pipeline and the services write (collection tasks, alarm cases, evidence
packages). In Chinese through the app's translations.

Households' building and room are shown on the household's own page only (not in lists).
"""

from __future__ import annotations

from django.contrib import admin

from cityloop.sorting.models import (
    AlarmCase,
    Bin,
    CollectionPoint,
    CollectionTask,
    EvidenceItem,
    EvidencePackage,
    Household,
    HouseholdCard,
    Truck,
    Venue,
    VenueCategory,
)


class BinInline(admin.TabularInline):
    model = Bin
    extra = 0


@admin.register(CollectionPoint)
class CollectionPointAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "community", "grid", "is_active"]
    list_select_related = ["community", "grid"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["community", "grid"]
    inlines = [BinInline]


@admin.register(Bin)
class BinAdmin(admin.ModelAdmin):
    list_display = ["rfid_tag", "waste_type", "capacity_litres", "point"]
    list_select_related = ["point"]
    list_filter = ["waste_type"]
    search_fields = ["rfid_tag", "point__code"]
    raw_id_fields = ["point"]


class HouseholdCardInline(admin.TabularInline):
    model = HouseholdCard
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["code", "community", "point"]  # no building or room in lists
    list_select_related = ["community", "point"]
    search_fields = ["code", "cards__card_id"]
    raw_id_fields = ["community", "point"]
    inlines = [HouseholdCardInline]

    def has_delete_permission(self, request, obj=None):
        # A household keeps its history (records, roll-ups, evidence); one that moved away
        # has its cards deactivated instead.
        return False


# --- Registries of venues and trucks; the reactions' cases and tasks; evidence (read-only) ---


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the pipeline or by a service: shown, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VenueCategory)
class VenueCategoryAdmin(admin.ModelAdmin):
    """The bureau's list of supervised venue categories (data it supplies; none is seeded)."""

    list_display = ["code", "name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "community",
        "entity",
        "sorting_in_place",
        "inspected_on",
        "is_active",
    ]
    list_select_related = ["category", "community", "entity"]
    list_filter = ["category", "sorting_in_place", "is_active"]
    search_fields = ["code", "name", "entity__name"]
    raw_id_fields = ["community", "entity"]
    date_hierarchy = "inspected_on"


@admin.register(Truck)
class TruckAdmin(admin.ModelAdmin):
    list_display = ["plate", "contractor", "waste_type", "capacity_kg", "is_active"]
    list_select_related = ["contractor"]
    list_filter = ["waste_type", "is_active"]
    search_fields = ["plate", "contractor__name"]
    raw_id_fields = ["contractor"]


@admin.register(CollectionTask)
class CollectionTaskAdmin(ReadOnlyAdmin):
    list_display = [
        "point",
        "waste_type",
        "contractor",
        "reason",
        "level",
        "status",
        "opened_at",
        "due_at",
        "alarms",
        "done_at",
    ]
    list_select_related = ["point", "contractor"]
    list_filter = ["status", "reason", "waste_type"]
    search_fields = ["point__code", "point__name", "contractor__name"]
    date_hierarchy = "opened_at"


@admin.register(AlarmCase)
class AlarmCaseAdmin(ReadOnlyAdmin):
    list_display = ["point", "alarm", "case", "first_at", "last_at", "alarms"]
    list_select_related = ["point", "case"]
    list_filter = ["alarm"]
    search_fields = ["point__code", "point__name", "case__ticket"]
    date_hierarchy = "first_at"


class EvidenceItemInline(admin.TabularInline):
    model = EvidenceItem
    fields = ["seq", "record", "content", "digest"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EvidencePackage)
class EvidencePackageAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "subject",
        "household",
        "unit",
        "period_start",
        "period_end",
        "item_count",
        "sealed_at",
        "sealed_by",
    ]
    list_select_related = ["household", "unit", "sealed_by"]
    list_filter = ["subject"]
    search_fields = ["number", "household__code", "unit__name", "digest"]
    date_hierarchy = "sealed_at"
    inlines = [EvidenceItemInline]
