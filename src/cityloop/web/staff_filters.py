"""The staff case list's filters: one GET form that the list, its pages and the export share."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils.translation import gettext_lazy as _

from cityloop.categories.models import MinorCategory
from cityloop.events.choices import CaseState, Source
from cityloop.events.selectors import CaseFilter
from cityloop.org.models import Unit
from cityloop.worktime.clock import SHANGHAI

# ?sort= value → ORDER BY; the first is the default.
SORTS = {
    "-reported": ("-reported_at", "-id"),
    "reported": ("reported_at", "id"),
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
}


class CaseFilterForm(forms.Form):
    """Filters of /cases/ and /cases/export.xlsx (GET); streets and communities are the
    user's visible units."""

    state = forms.MultipleChoiceField(label=_("State"), choices=CaseState.choices, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=MinorCategory.objects.none(), required=False
    )
    street = forms.ModelChoiceField(
        label=_("Street"), queryset=Unit.objects.none(), required=False, to_field_name="code"
    )
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Unit.objects.none(), required=False, to_field_name="code"
    )
    source = forms.MultipleChoiceField(label=_("Source"), choices=Source.choices, required=False)
    reported_after = forms.DateField(
        label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reported_before = forms.DateField(
        label=_("Reported until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue = forms.NullBooleanField(
        label=_("Overdue"),
        required=False,
        widget=forms.Select(
            choices=[("", _("Any")), ("true", _("Overdue only")), ("false", _("Not overdue"))]
        ),
    )
    mine = forms.BooleanField(label=_("My unit's tasks"), required=False)
    q = forms.CharField(label=_("Ticket or text"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("-reported", _("Newest reports first")),
            ("reported", _("Oldest reports first")),
            ("deadline", _("Nearest deadline first")),
            ("-deadline", _("Latest deadline first")),
        ],
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user).filter(is_active=True).order_by("code")
        self.fields["street"].queryset = units.streets()
        self.fields["community"].queryset = units.communities()
        self.fields["category"].queryset = MinorCategory.objects.select_related("major").order_by(
            "major__kind", "major__code", "code"
        )

    def case_filter(self) -> CaseFilter:
        """The selector's filter; call after ``is_valid()`` (invalid fields are ignored)."""
        d = getattr(self, "cleaned_data", {})
        return CaseFilter(
            state=d.get("state") or None,
            category=d["category"].pk if d.get("category") else None,
            street=d["street"].code if d.get("street") else None,
            community=d["community"].code if d.get("community") else None,
            source=d.get("source") or None,
            reported_after=_day_start(d.get("reported_after")),
            reported_before=_day_start(d.get("reported_before"), next_day=True),
            overdue=d.get("overdue"),
            mine=bool(d.get("mine")),
            q=d.get("q") or None,
        )

    def ordering(self) -> tuple[str, ...]:
        d = getattr(self, "cleaned_data", {})
        return SORTS.get(d.get("sort") or "-reported", SORTS["-reported"])


def _day_start(day, *, next_day: bool = False) -> datetime | None:
    """A calendar day in Shanghai as an aware instant (its start, or the next day's start)."""
    if day is None:
        return None
    from datetime import timedelta

    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start + timedelta(days=1) if next_day else start
