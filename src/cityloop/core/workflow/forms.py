"""The web form of an action, derived from its row of the table.

``ActionForm`` carries what every action does (the version the user saw, a comment, the
reason where the row requires one, photos where the row takes them) and the fields of the
row's declared inputs (``inputs``), so that a page offers exactly what the API accepts.
``params()`` gives the service the same values the API would send.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityloop.core.workflow.table import Transition


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one input (``<input type=file multiple>``), on a phone its camera;
    ``css_class`` styles the input. The attachments service checks their content."""

    def __init__(self, *args: Any, css_class: str = "", **kwargs: Any) -> None:
        attrs = {"accept": "image/*", "capture": "environment", "multiple": True}
        if css_class:
            attrs["class"] = css_class
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class ActionForm(forms.Form):
    """One action's form for ``record``: what every action carries, then its inputs."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        record: Any,
        transition: Transition,
        version_field: str = "version",
    ) -> None:
        super().__init__(data, files, initial={"version": getattr(record, version_field)})
        self.record, self.transition = record, transition
        self.inputs = tuple(i for i in transition.inputs if i.on_page)
        chosen = "reason" in {i.name for i in self.inputs}
        if transition.reason_required and not chosen:
            self.fields["comment"].label = _("Reason")
            self.fields["comment"].required = True
        # else a chosen reason is the reason (the kernel's reason check reads it too) and the
        # text stays a comment
        if transition.attachments:
            self.fields["photos"] = MultipleFileField(label=_("Photos"))
        for declared in self.inputs:
            self.fields.update(declared.form_fields(record))

    def field_of(self, refused: str) -> str | None:
        """The form field a refusal's field names: a list item's ``assisting.0.deadline`` is
        the page's ``assisting_deadline`` (``inputs.Many``), ``files`` the photos; None (the
        whole form) for anything the form does not show."""
        parts = refused.split(".")
        names = [f"{parts[0]}_{parts[-1]}", parts[0]] if len(parts) == 3 else [parts[0]]
        names = ["photos" if n in ("files", "attachments") else n for n in names]
        return next((n for n in names if n in self.fields), None)

    def params(self) -> dict[str, Any]:
        """The inputs as the service takes them (the API's body, less version and comment)."""
        return {i.name: i.from_form(self.cleaned_data) for i in self.inputs}


def submit(form: ActionForm, act: Any, *, user: Any) -> Any | None:
    """Take the form's action through the module's one write path ``act`` (``case_act``,
    ``enforcement_act``) if the form is valid, returning the record as it is after; a
    ``BadInput`` (422) goes back onto the field it names and None is returned. Other refusals
    (the record changed, the state forbids, the role may not) propagate to the view."""
    from cityloop.core.refusals import ActionRefused

    if not form.is_valid():
        return None
    d = form.cleaned_data
    try:
        return act(
            actor=user,
            case=form.record,
            action=form.transition.action,
            version=d["version"],
            comment=d.get("comment", ""),
            attachments=d.get("photos") or [],
            **form.params(),
        )
    except ActionRefused as exc:
        if exc.status != 422:
            raise
        form.add_error(form.field_of(exc.field), str(exc.message))
        return None
