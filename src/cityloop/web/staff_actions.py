"""The short form behind each action button of the staff pages, and the one call it makes.

Each action's parameters are those of ``events.api_schemas`` (file: filing_condition;
dispatch: unit, task, assisting; reject: reason; evaluate: satisfaction; request_extension:
requested_deadline; merge: into; escalate: unit). Forms only shape the input: the rules live in
``case_act``, whose ``BadInput`` is put back on the named field.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cityloop.core.refusals import ActionRefused
from cityloop.events.choices import RejectReason
from cityloop.events.models import Case
from cityloop.events.services.transitions import case_act
from cityloop.events.workflow import Transition
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit
from cityloop.worktime.clock import SHANGHAI


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one input (``<input type=file multiple>``)."""

    def __init__(self, *args, **kwargs) -> None:
        attrs = {"accept": "image/*", "capture": "environment", "multiple": True}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ShanghaiDateTimeField(forms.CharField):
    """A ``datetime-local`` input read as Beijing time (Asia/Shanghai), whatever the browser."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError(_("Enter a date and time."), code="invalid") from exc
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def unit_choices() -> forms.ModelChoiceField:
    units = Unit.objects.filter(is_active=True).exclude(kind=UnitKind.DISTRICT)
    return forms.ModelChoiceField(
        label=_("Unit"), queryset=units.order_by("kind", "code", "name"), required=False
    )


class ActionForm(forms.Form):
    """What every action carries: the version the user saw and a comment."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, case: Case, transition: Transition, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.transition = case, transition
        if transition.reason_required:
            self.fields["comment"].label = _("Reason")
            self.fields["comment"].required = True
        if transition.attachments:
            self.fields["photos"] = MultipleFileField(label=_("Photos"))
        self.add_fields()

    def add_fields(self) -> None:
        """Fields of one action (subclasses)."""

    def params(self) -> dict:
        d = self.cleaned_data
        skip = {"version", "comment", "photos"}
        return {k: (v.pk if hasattr(v, "pk") else v) for k, v in d.items() if k not in skip}


class RejectForm(ActionForm):
    def add_fields(self) -> None:
        self.fields["reason"] = forms.ChoiceField(label=_("Why"), choices=RejectReason.choices)
        self.fields["comment"].required = False  # the chosen reason is the reason


class FileForm(ActionForm):
    def add_fields(self) -> None:
        conditions = (
            self.case.category.filing_conditions.order_by("sequence")
            if self.case.category_id
            else []
        )
        self.fields["filing_condition"] = forms.TypedChoiceField(
            label=_("Filing condition"),
            coerce=int,
            choices=[
                (c.pk, f"{c.sequence}. {c.filing_condition} ({c.time_limit})") for c in conditions
            ],
        )


class DispatchForm(ActionForm):
    def add_fields(self) -> None:
        self.fields["unit"] = unit_choices()
        self.fields["unit"].help_text = _("Empty: the proposed unit.")
        self.fields["task"] = forms.CharField(label=_("Task"), required=False, max_length=500)
        self.fields["assisting"] = forms.ModelMultipleChoiceField(
            label=_("Summon assisting units"),
            queryset=self.fields["unit"].queryset,
            required=False,
        )
        self.fields["assist_deadline"] = ShanghaiDateTimeField(
            label=_("Assisting units' deadline"), required=False
        )

    def params(self) -> dict:
        d = self.cleaned_data
        assisting = [
            {"unit": u.pk, "task": d.get("task", ""), "deadline": d.get("assist_deadline")}
            for u in d.get("assisting") or []
        ]
        return {
            "unit": d["unit"].pk if d.get("unit") else None,
            "task": d["task"],
            "assisting": assisting,
        }


class EvaluateForm(ActionForm):
    def add_fields(self) -> None:
        self.fields["satisfaction"] = forms.TypedChoiceField(
            label=_("Satisfaction"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)]
        )


class ExtensionForm(ActionForm):
    def add_fields(self) -> None:
        self.fields["requested_deadline"] = ShanghaiDateTimeField(label=_("New deadline"))


class MergeForm(ActionForm):
    def add_fields(self) -> None:
        self.fields["into"] = forms.CharField(
            label=_("Merge into (ticket)"), max_length=24, required=False
        )


class EscalateForm(ActionForm):
    def add_fields(self) -> None:
        self.fields["unit"] = unit_choices()
        self.fields["unit"].help_text = _("Empty: the tier above.")


FORMS: dict[str, type[ActionForm]] = {
    "reject": RejectForm,
    "file": FileForm,
    "dispatch": DispatchForm,
    "evaluate": EvaluateForm,
    "request_extension": ExtensionForm,
    "merge": MergeForm,
    "escalate": EscalateForm,
}


def action_form(transition: Transition, case: Case, data=None, files=None) -> ActionForm:
    form_class = FORMS.get(transition.action, ActionForm)
    initial = {"version": case.version}
    return form_class(data, files, case=case, transition=transition, initial=initial)


def action_submit(*, user, form: ActionForm) -> Case | None:
    """Take the action if the form is valid; a ``BadInput`` goes back onto its field.

    Other refusals (``CaseChanged``, ``StateForbids``, ``ActionRefused``) propagate.
    """
    if not form.is_valid():
        return None
    d = form.cleaned_data
    try:
        return case_act(
            actor=user,
            case=form.case,
            action=form.transition.action,
            version=d["version"],
            comment=d.get("comment", ""),
            attachments=d.get("photos") or [],
            **form.params(),
        )
    except ActionRefused as exc:
        if exc.status != 422:
            raise
        field = exc.field.split(".")[0]
        field = "photos" if field in ("files", "attachments") else field
        form.add_error(field if field in form.fields else None, str(exc.message))
        return None
