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
        form.add_error(form.field_of(exc.field), str(exc.message))
        return None
