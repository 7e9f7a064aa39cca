"""The short form behind each action button of the staff pages, and the one call it makes.

Each form is derived from the action's row of the table (``core.workflow.forms``: the inputs
the row declares, as the API's body has them). Forms only shape the input: the rules live in
``case_act``, whose ``BadInput`` is put back on the named field.
"""

from __future__ import annotations

from cityloop.core.workflow.forms import ActionForm, submit
from cityloop.events.models import Case
from cityloop.events.services.transitions import case_act
from cityloop.events.workflow import Transition


def action_form(transition: Transition, case: Case, data=None, files=None) -> ActionForm:
    return ActionForm(data, files, record=case, transition=transition)


def action_submit(*, user, form: ActionForm) -> Case | None:
    """Take the action if the form is valid (``core.workflow.forms.submit``: a ``BadInput``
    goes back onto its field; other refusals propagate)."""
    return submit(form, case_act, user=user)
