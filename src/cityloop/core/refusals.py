"""Why an action is refused, said in Chinese and English, with the HTTP status it maps to.

Every stateful module raises these (the workflow kernel, ``cityloop.core.workflow``, and the
services around it); the JSON API turns them into the one error body (``core/api_errors.py``)
and the pages into a message on the field. Nothing is written when one is raised.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import both


class ActionRefused(Exception):
    """An action the user may not take now; nothing was changed (403)."""

    status = 403
    code = "forbidden"

    def __init__(self, message: Any, *, field: str = "__all__", code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_item(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, **both(self.message)}


class StateForbids(ActionRefused):
    """The record's state does not allow the action (409: it is not where you think)."""

    status = 409
    code = "state_forbids"


class RecordChanged(ActionRefused):
    """Someone else acted on the record since this user loaded it (409, on ``version``)."""

    status = 409
    code = "record_changed"
    message_text = _("The record changed since you loaded it; reload it and try again.")

    def __init__(self, *, current: int) -> None:
        super().__init__(self.message_text, field="version")
        self.current = current


class BadInput(ActionRefused):
    """A parameter of the action is missing or wrong (422, on the named field)."""

    status = 422
    code = "invalid"
