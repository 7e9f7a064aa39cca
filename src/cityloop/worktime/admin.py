"""Admin of office hours, calendar overrides and complete years; every save calls a service."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import construct_change_message
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.worktime import services
from cityloop.worktime.models import CalendarOverride, CalendarYear, OfficeHours, OfficePeriod
from cityloop.worktime.notices import calendar_notice
from cityloop.worktime.officehours import Period, period_errors
from cityloop.worktime.selectors import years_with_data
from cityloop.worktime.workdays import package_covers


class OfficePeriodFormSet(BaseInlineFormSet):
    """The periods of one unit's office hours: at least one, none overlapping another."""

    def clean(self) -> None:
        super().clean()
        forms_kept = [f for f in self.forms if _is_kept(f)]
        complete = [f for f in forms_kept if "start" in f.cleaned_data and "end" in f.cleaned_data]
        periods = [Period(f.cleaned_data["start"], f.cleaned_data["end"]) for f in complete]
        for index, errors in period_errors(periods).items():
            for field, error in errors.items():
                if field not in complete[index].errors:
                    complete[index].add_error(field, error)
        if not forms_kept:
            raise forms.ValidationError(_("Give at least one office period."), code="required")


def _is_kept(form: forms.Form) -> bool:
    return bool(getattr(form, "cleaned_data", None)) and not form.cleaned_data.get("DELETE")


class OfficePeriodInline(admin.TabularInline):
    model = OfficePeriod
    formset = OfficePeriodFormSet
    extra = 1


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    list_display = ["owner", "periods_display", "note", "updated_at", "updated_by"]
    list_select_related = ["unit", "updated_by"]
    fields = ["unit", "note"]
    autocomplete_fields = ["unit"]
    inlines = [OfficePeriodInline]

    @admin.display(description=_("unit"))
    def owner(self, obj: OfficeHours) -> str:
        return str(obj.unit) if obj.unit_id else str(_("Default (units without their own)"))

    @admin.display(description=_("office periods"))
    def periods_display(self, obj: OfficeHours) -> str:
        return obj.periods_display()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("periods")

    def get_readonly_fields(self, request, obj=None):
        return ["unit"] if obj is not None else []

    def save_model(self, request, obj, form, change) -> None:
        """Saved with its periods in :meth:`save_related`, by the service."""

    def save_related(self, request, form, formsets, change) -> None:
        periods = [
            Period(f.cleaned_data["start"], f.cleaned_data["end"])
            for formset in formsets
            for f in formset.forms
            if _is_kept(f)
        ]
        unit = form.instance.unit if change else form.cleaned_data.get("unit")
        hours = services.office_hours_set(
            unit=unit, periods=periods, note=form.cleaned_data["note"], actor=request.user
        )
        form.instance.pk = hours.pk

    def construct_change_message(self, request, form, formsets, add=False):
        """The periods were saved by the service, not the formsets: log the form's changes."""
        return construct_change_message(form, [], add)

    def delete_model(self, request, obj) -> None:
        services.office_hours_delete(unit=obj.unit)

    def delete_queryset(self, request, queryset) -> None:
        for hours in queryset.select_related("unit"):
            services.office_hours_delete(unit=hours.unit)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "weekday", "kind", "note", "updated_at", "updated_by"]
    list_filter = ["kind"]
    list_select_related = ["updated_by"]
    date_hierarchy = "day"
    search_fields = ["note"]
    fields = ["day", "kind", "note"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarOverride) -> str:
        return str(WEEKDAYS[obj.day.weekday()])

    def get_readonly_fields(self, request, obj=None):
        return ["day"] if obj is not None else []

    def changelist_view(self, request, extra_context=None):
        _warn_if_next_year_is_due(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        saved = services.calendar_override_set(
            day=obj.day, kind=obj.kind, note=obj.note, actor=request.user
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        services.calendar_override_delete(day=obj.day)

    def delete_queryset(self, request, queryset) -> None:
        for day in queryset.values_list("day", flat=True):
            services.calendar_override_delete(day=day)


WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "source"]

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year") if self.instance.pk is None else self.instance.year
        if year is not None and "year" not in self.errors:
            try:
                services.calendar_year_check_entered(year=year)
            except forms.ValidationError as exc:
                self.add_error("year" if self.instance.pk is None else None, exc.messages)
        return cleaned


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    form = CalendarYearForm
    list_display = ["year", "source", "covered_by_package", "declared_at", "declared_by"]
    list_select_related = ["declared_by"]

    @admin.display(description=_("covered by the chinese-calendar package"), boolean=True)
    def covered_by_package(self, obj: CalendarYear) -> bool:
        return package_covers(obj.year)

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj is not None else []

    def changelist_view(self, request, extra_context=None):
        _warn_if_next_year_is_due(request)
        years = year_ranges(years_with_data())
        title = _("Complete calendar years (years with data: %(years)s)") % {"years": years}
        return super().changelist_view(request, {**(extra_context or {}), "title": title})

    def save_model(self, request, obj, form, change) -> None:
        saved = services.calendar_year_declare(year=obj.year, source=obj.source, actor=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        services.calendar_year_withdraw(year=obj.year)

    def delete_queryset(self, request, queryset) -> None:
        for year in queryset.values_list("year", flat=True):
            services.calendar_year_withdraw(year=year)


def _warn_if_next_year_is_due(request) -> None:
    notice = calendar_notice(timezone.localdate())
    if notice and request.method == "GET":
        messages.warning(request, notice)


def year_ranges(years: list[int]) -> str:
    """``2004–2026, 2028`` for a sorted list of years."""
    ranges: list[list[int]] = []
    for year in years:
        if ranges and ranges[-1][1] == year - 1:
            ranges[-1][1] = year
        else:
            ranges.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in ranges)
