"""Forms of the staff pages other than the action forms (``staff_actions``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cityloop.categories.models import MinorCategory
from cityloop.core.workflow.forms import MultipleFileField
from cityloop.events.choices import Urgency


class InspectorReportForm(forms.Form):
    """An inspector's report: the position comes from the phone (WGS-84) or a map click."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=MinorCategory.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("Description"), max_length=2000, widget=forms.Textarea({"rows": 3})
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput,
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    photos = MultipleFileField(label=_("Photos"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            MinorCategory.objects.filter(is_active=True)
            .select_related("major")
            .order_by("major__kind", "major__code", "code")
        )
