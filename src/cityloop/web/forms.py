"""Forms of the citizens' pages and the sign-in page.

The forms only shape input; the rules live in the events services, whose ``BadInput.field``
is put back on the form field it names (``add_service_error``).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cityloop.categories.models import MinorCategory
from cityloop.core.workflow.forms import MultipleFileField

# Service field names that the report form shows under another field.
REPORT_FIELD_OF = {"lat": "lon", "crs": "lon", "files": "photos", "attachments": "photos"}


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: MinorCategory) -> str:
        return obj.name


def category_groups() -> list[tuple[str, list[tuple[int, str]]]]:
    """Active event categories grouped by major category, for a grouped <select>."""
    groups: dict[str, list[tuple[int, str]]] = {}
    rows = (
        MinorCategory.objects.active()
        .select_related("major")
        .order_by("major__kind", "major__code", "code")
    )
    for minor in rows:
        groups.setdefault(minor.major.name, []).append((minor.pk, minor.name))
    return list(groups.items())


class ReportForm(forms.Form):
    """市民随手拍: category, description, photos and a point (WGS-84 from the page's map)."""

    category = forms.TypedChoiceField(
        label=_("Category"), coerce=int, required=False, empty_value=None
    )
    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
    )
    lat = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    reporter_phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    photos = MultipleFileField(label=_("Photos"), css_class="photo-input")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("Not sure — let the centre decide")),
            *category_groups(),
        ]
        self.fields["description"].widget.attrs["placeholder"] = _(
            "For example: an overflowing bin at the north gate of the park"
        )
        self.fields["reporter_phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")

    def clean(self):
        """Say at once that the place is missing (the service says it too, but only once the
        other fields are right)."""
        data = super().clean()
        no_place = data.get("lon") is None and data.get("lat") is None
        if no_place and not data.get("address") and "lon" not in self.errors:
            self.add_error("lon", _("Give the place: a point on the map or an address."))
        return data

    def add_service_error(self, field: str, message) -> None:
        field = REPORT_FIELD_OF.get(field, field)
        self.add_error(field if field in self.fields else None, message)


class TrackForm(forms.Form):
    ticket = forms.CharField(label=_("Ticket number"), max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket"].widget.attrs.update(autocomplete="off", inputmode="text")


class RateForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        coerce=int,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    key = forms.CharField(label=_("Key"), max_length=32)
