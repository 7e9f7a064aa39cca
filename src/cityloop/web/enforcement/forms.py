"""The enforcement pages' own forms (the action forms are the kernel's: ``actions``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.enforcement.choices import Category, ClueSource, EnforcementState, Procedure
from cityloop.org.models import Unit
from cityloop.web.enforcement.access import clue_units

TABS = {
    "mine": _("My cases"),
    "due": _("Due soon"),
    "overdue": _("Overdue"),
    "all": _("All"),
}
SORTS = {
    "-registered": ("-registered_at", "-id"),
    "registered": ("registered_at", "id"),
}
# A clue from a closed-loop case or an evidence package is registered from there.
ELSEWHERE = (ClueSource.CASE, ClueSource.EVIDENCE)
DIRECT_SOURCES = [c for c in ClueSource.choices if c[0] not in ELSEWHERE]


class CaseFilterForm(forms.Form):
    """Filters of the workbench (GET): state, procedure, category, text."""

    state = forms.MultipleChoiceField(
        label=_("State"), choices=EnforcementState.choices, required=False
    )
    procedure = forms.ChoiceField(
        label=_("Procedure"), choices=[("", _("Any")), *Procedure.choices], required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Any")), *Category.choices], required=False
    )
    q = forms.CharField(label=_("Number, title or party"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("-registered", _("Newest first")),
            ("registered", _("Oldest first")),
        ],
    )

    def apply(self, cases: QuerySet) -> QuerySet:
        d = self.cleaned_data if self.is_valid() else {}
        if d.get("state"):
            cases = cases.filter(state__in=d["state"])
        if d.get("procedure"):
            cases = cases.filter(procedure=d["procedure"])
        if d.get("category"):
            cases = cases.filter(violation__category=d["category"])
        if q := (d.get("q") or "").strip():
            cases = cases.filter(
                Q(number__icontains=q) | Q(title__icontains=q) | Q(party__name__icontains=q)
            )
        return cases.order_by(*SORTS.get(d.get("sort") or "", SORTS["-registered"]))


class ClueForm(forms.Form):
    """A clue registered directly (线索登记): patrol, complaint or transfer."""

    unit = forms.ModelChoiceField(
        label=_("Street (its enforcement team)"),
        queryset=Unit.objects.none(),
        to_field_name="code",
    )
    source = forms.ChoiceField(label=_("Source"), choices=DIRECT_SOURCES, initial="patrol")
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    facts = forms.CharField(
        label=_("What was found"),
        max_length=4000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    note = forms.CharField(
        label=_("Clue details (complainant, transferring department…)"),
        max_length=300,
        required=False,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = clue_units(user)
        self.fields["unit"].queryset = units
        own = user.unit if user.unit is not None and user.unit in units else None
        if own is not None:
            self.fields["unit"].initial = own.code
        elif units.count() == 1:
            self.fields["unit"].initial = units.first().code


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class PeriodForm(forms.Form):
    """The supervision view's period (the cases registered in it); this year by default."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        d = super().clean()
        if d.get("start") and d.get("end") and d["start"] > d["end"]:
            self.add_error("end", _("The period ends before it starts."))
        return d

    def bounds(self) -> tuple[datetime, datetime, date, date]:
        """[from, until) as aware moments, and the days shown."""
        today = timezone.localdate()
        d = self.cleaned_data if self.is_valid() else {}
        first = d.get("start") or date(today.year, 1, 1)
        last = d.get("end") or today
        return _start(first), _start(last) + timedelta(days=1), first, last
