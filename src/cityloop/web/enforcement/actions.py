"""The form behind each action button of the enforcement pages, and the one call it makes.

Each form is the kernel's (``core.workflow.forms.ActionForm``), derived from the action's row
of ``enforcement.workflow.TRANSITIONS``: the inputs the row declares, as the API's body has
them. The rules live in ``services.enforcement_act``; its ``BadInput`` goes back onto the
field it names (the whole form when the form does not show that field).
"""

from __future__ import annotations

from cityloop.core.workflow.forms import ActionForm, submit
from cityloop.core.workflow.table import Transition
from cityloop.enforcement.models import EnforcementCase
from cityloop.enforcement.services import CASES, enforcement_act


def transition_for(user, case: EnforcementCase, action: str) -> Transition | None:
    """The action's row if ``user`` may take it on ``case`` now, else None."""
    for t in CASES.allowed_actions(user, case):
        if t.action == action:
            return t
    return None


def action_form(transition: Transition, case: EnforcementCase, data=None, files=None):
    return ActionForm(data, files, record=case, transition=transition)


def action_submit(*, user, form: ActionForm) -> EnforcementCase | None:
    """Take the action if the form is valid (``core.workflow.forms.submit``: a ``BadInput``
    goes back onto its field; other refusals propagate)."""
    return submit(form, enforcement_act, user=user)
