"""One error shape for the whole JSON API, field by field, in Chinese and English.

``{"detail": [{"field": "lon", "code": "float_parsing", "zh": "…", "en": "…"}]}``
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from cityloop.core.i18n import both, in_language, validation_errors
from cityloop.core.storable import UNSTORABLE

# Pydantic's error types, said in words a person understands.
PYDANTIC_MESSAGES = {
    "missing": _("This field is required."),
    "float_parsing": _("Enter a number."),
    "float_type": _("Enter a number."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "string_type": _("Enter text."),
    "bool_parsing": _("Enter true or false."),
    "datetime_parsing": _("Enter a date and time such as 2026-11-24T09:30:00+08:00."),
    "datetime_from_date_parsing": _("Enter a date and time such as 2026-11-24T09:30:00+08:00."),
    "date_parsing": _("Enter a date such as 2026-11-24."),
    "date_from_datetime_parsing": _("Enter a date such as 2026-11-24."),
    "literal_error": _("Choose one of the allowed values."),
    "enum": _("Choose one of the allowed values."),
    "less_than_equal": _("The value is too large."),
    "greater_than_equal": _("The value is too small."),
    "too_long": _("Too many items or characters."),
    "too_short": _("Too few items or characters."),
    "json_invalid": _("The request body is not valid JSON."),
    "model_attributes_type": _("The request body must be a JSON object."),
    "list_type": _("Enter a list."),
    "string_unicode": UNSTORABLE,
}
# Any other kind: pydantic's own words in English, a plain Chinese sentence in ``zh``.
UNLISTED = _("This value is not valid.")


class ApiError(Exception):
    """Raise from an endpoint to answer ``status`` with field-level bilingual errors."""

    def __init__(self, status: int, field: str, message: Any, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.status = status
        self.items = [{"field": field, "code": code, **both(message)}]


def _pydantic_item(error: dict) -> dict:
    loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "form")]
    field = ".".join(loc) or "__all__"
    kind = error.get("type", "invalid")
    message = PYDANTIC_MESSAGES.get(kind)
    if message is None:
        english = error.get("msg") or in_language(UNLISTED, "en")
        return {"field": field, "code": kind, "zh": in_language(UNLISTED, "zh-hans"), "en": english}
    return {"field": field, "code": kind, **both(message)}


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every refusal into the shared error shape."""

    @api.exception_handler(NinjaValidationError)
    def _validation(request, exc):
        return api.create_response(
            request, {"detail": [_pydantic_item(e) for e in exc.errors]}, status=422
        )

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request, exc):
        return api.create_response(request, {"detail": validation_errors(exc)}, status=422)

    @api.exception_handler(ApiError)
    def _api_error(request, exc):
        return api.create_response(request, {"detail": exc.items}, status=exc.status)

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        item = {"field": "__all__", "code": "not_found", **both(_("Not found."))}
        return api.create_response(request, {"detail": [item]}, status=404)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        item = {"field": "__all__", "code": "not_authenticated", **both(_("Please log in."))}
        return api.create_response(request, {"detail": [item]}, status=401)
