"""Admin of enforcement: the bureau's data (legal-basis catalogue with its discretion tiers,
procedure rules, document numbering and templates, officers' credentials) is edited here;
cases, their history, clocks, evidence and documents are read-only (they change only through
the workflow).

The catalogue is versioned: saving an edit of a violation that a case already uses creates the
next version (same code, version + 1) and retires the old one, which stays as the case was
decided under it (decision 0051).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cityloop.enforcement.catalogue import save_as_next_version
from cityloop.enforcement.models import (
    CaseClock,
    Credential,
    DiscretionTier,
    Document,
    DocumentTemplate,
    EnforcementCase,
    EnforcementEvent,
    Evidence,
    NumberingScheme,
    Party,
    ProcedureRules,
    Violation,
)


class TierInline(admin.TabularInline):
    model = DiscretionTier
    extra = 0


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "current", "category", "target", "name", "min_fine",
                    "max_fine", "verified"]  # fmt: skip
    list_filter = ["current", "category", "target", "verified"]
    search_fields = ["code", "name", "legal_basis", "penalty_basis"]
    readonly_fields = ["version", "current", "created_at"]
    inlines = [TierInline]

    def save_model(self, request, obj, form, change):
        if change and obj.pk and obj.cases.exists():
            save_as_next_version(obj)
            request._violation_versioned = True
            self.message_user(
                request,
                _("Cases use the old version: saved as version %(v)s, the old one kept.")
                % {"v": obj.version},
                messages.INFO,
            )
            return
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # A new version got copies of the old tiers in save_model: the edited tier rows belong
        # to the old version and are left as they were; edit the new version's tiers next.
        if getattr(request, "_violation_versioned", False):
            return
        super().save_formset(request, form, formset, change)


@admin.register(ProcedureRules)
class ProcedureRulesAdmin(admin.ModelAdmin):
    list_display = [
        "effective_from",
        "filing_working_days",
        "hearing_fine_person",
        "hearing_fine_organisation",
        "legal_review_fine",
        "collective_fine",
    ]


@admin.register(NumberingScheme)
class NumberingSchemeAdmin(admin.ModelAdmin):
    list_display = ["kind", "unit", "pattern"]
    list_filter = ["kind"]
    raw_id_fields = ["unit"]


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "active", "uploaded_at", "note"]
    list_filter = ["kind", "active"]


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["number", "user", "valid_from", "valid_until"]
    search_fields = ["number", "user__username", "user__display_name"]
    raw_id_fields = ["user"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EnforcementCase)
class EnforcementCaseAdmin(ReadOnly):
    list_display = ["number", "title", "state", "procedure", "unit", "registered_at", "fine"]
    list_filter = ["state", "procedure", "source"]
    search_fields = ["number", "title"]
    list_select_related = ["unit"]


@admin.register(EnforcementEvent)
class EnforcementEventAdmin(ReadOnly):
    list_display = ["case", "action", "from_state", "to_state", "actor_label", "at"]
    list_filter = ["action"]
    list_select_related = ["case"]


@admin.register(CaseClock)
class CaseClockAdmin(ReadOnly):
    list_display = ["case", "kind", "deadline", "clock_state", "stopped_at"]
    list_filter = ["kind", "clock_state"]
    list_select_related = ["case"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnly):
    list_display = ["case", "number", "kind", "collected_at", "sha256"]
    list_select_related = ["case"]


@admin.register(Document)
class DocumentAdmin(ReadOnly):
    list_display = ["case", "kind", "number", "revision", "issued_at", "docx_sha256"]
    list_filter = ["kind"]
    list_select_related = ["case"]


@admin.register(Party)
class PartyAdmin(ReadOnly):
    list_display = ["name", "kind"]
    search_fields = ["name", "identity"]
