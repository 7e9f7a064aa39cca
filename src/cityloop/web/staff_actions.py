"""The short form behind each action button of the staff pages, and the one call it makes.

Each form is derived from the action's row of the table (``core.workflow.forms``: the inputs
the row declares, as the API's body has them). Forms only shape the input: the rules live in
``case_act``, whose ``BadInput`` is put back on the named field.
"""

from __future__ import annotations

from cityloop.core.refusals import ActionRefused
from cityloop.core.workflow.forms import ActionForm
from cityloop.events.models import Case
from cityloop.events.services.transitions import case_act
from cityloop.events.workflow import Transition


def action_form(transition: Transition, case: Case, data=None, files=None) -> ActionForm:
    return ActionForm(data, files, record=case, transition=transition)


def _form_field(form: ActionForm, field: str) -> str | None:
    """The form field a refusal names: ``assisting.0.deadline`` is the list's
    ``assisting_deadline``, ``files`` the photos; None (the whole form) for anything else."""
    parts = field.split(".")
    names = [f"{parts[0]}_{parts[-1]}", parts[0]] if len(parts) == 3 else [parts[0]]
    names = ["photos" if n in ("files", "attachments") else n for n in names]
    return next((n for n in names if n in form.fields), None)


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
        form.add_error(_form_field(form, exc.field), str(exc.message))
        return None
