"""One error shape for the whole JSON API, field by field, in Chinese and English.

``{"detail": [{"field": "lon", "code": "float_parsing", "zh": "…", "en": "…"}]}``

Every refusal (400, 401, 403, 404, 409, 422, 429) leaves through the handlers below, so that
:class:`ErrorOut`, which the OpenAPI schema declares on every operation (``core/openapi.py``),
is what a client actually receives (decision 0011; decision 0039 for the declaration).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from cityloop.core.i18n import both, in_language, validation_errors
from cityloop.core.refusals import ActionRefused
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
    "extra_forbidden": _("This action takes no such input."),
    "string_unicode": UNSTORABLE,
}
# Any other kind: pydantic's own words in English, a plain Chinese sentence in ``zh``.
UNLISTED = _("This value is not valid.")


# What django-ninja's own refusals (HttpError: an unreadable body, a failed CSRF check, too
# many requests) say, by status; any other status falls back to the last one.
HTTP_ERROR_MESSAGES = {
    400: ("unreadable", _("The request cannot be read: send valid JSON or form data.")),
    403: ("forbidden", _("The request was refused (for a session, send its CSRF token).")),
    429: ("throttled", _("Too many requests; please try again later.")),
}
HTTP_ERROR_FALLBACK = ("refused", _("The request was refused."))


class ErrorItem(Schema):
    """One refusal: the field it is about (``__all__`` for the request), a stable code, and
    the message in Chinese and English."""

    field: str = Field(..., description="the input field; __all__ for the whole request")
    code: str = Field(..., description="stable machine code, e.g. missing, forbidden")
    zh: str = Field(..., description="中文说明")
    en: str = Field(..., description="English message")


class ErrorOut(Schema):
    """The body of every refusal of the JSON API."""

    detail: list[ErrorItem]
    version: int | None = Field(
        None, description="on a 409 for a stale version: the case's current version"
    )


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

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        code, message = HTTP_ERROR_MESSAGES.get(exc.status_code, HTTP_ERROR_FALLBACK)
        item = {"field": "__all__", "code": code, **both(message)}
        return api.create_response(request, {"detail": [item]}, status=exc.status_code)

    @api.exception_handler(ActionRefused)
    def _refused(request, exc):
        """A workflow's refusal (``core.refusals``); a stale version also says the current one."""
        body = {"detail": [exc.as_item()]}
        if hasattr(exc, "current"):
            body["version"] = exc.current
        return api.create_response(request, body, status=exc.status)

    @api.exception_handler(SuspiciousOperation)
    def _suspicious(request, exc):
        """A body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields: Django's 400."""
        code, message = HTTP_ERROR_MESSAGES[400]
        item = {"field": "__all__", "code": code, **both(message)}
        return api.create_response(request, {"detail": [item]}, status=400)
