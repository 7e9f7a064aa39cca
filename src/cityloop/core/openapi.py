"""The API class whose OpenAPI schema declares, on every operation, how it refuses.

django-ninja documents only the statuses a route names in ``response=``; our refusals leave
through the shared handlers of ``core/api_errors.py`` whatever the route says. So that a client
generated from the schema can read a refusal, :class:`CityLoopAPI` adds the shared error body
(:class:`~cityloop.core.api_errors.ErrorOut`) to every operation's responses when the schema is
made, for the operations that exist then (decision 0039):

- 400, 403, 404, 409, 422 on every operation;
- 401 on those that need a login or a token;
- 429 on those with a rate limit.

A status that a route declares with its own body (a batch report on 422) keeps that body and
also admits the shared one (``anyOf``), since the handlers may answer it too.
"""

from __future__ import annotations

from http.client import responses as reasons
from typing import Any

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from cityloop.core.api_errors import ErrorOut

EVERY_OPERATION = (400, 403, 404, 409, 422)
LOGGED_IN = 401
RATE_LIMITED = 429
DESCRIPTION = "{reason}: field-level errors in Chinese and English (detail[].zh, detail[].en)"


class _ErrorResponse(Schema):
    """Wraps the error body the way django-ninja wraps every response model."""

    response: ErrorOut


def refusal_statuses(operation: Operation) -> list[int]:
    """The refusal statuses ``operation`` may answer, in order."""
    statuses = list(EVERY_OPERATION)
    if operation.auth_callbacks:
        statuses.append(LOGGED_IN)
    if operation.throttle_objects:
        statuses.append(RATE_LIMITED)
    return sorted(statuses)


class RefusalsDeclared(OpenAPISchema):
    """django-ninja's OpenAPI document, with the refusals added to each operation."""

    def responses(self, operation: Operation) -> dict[int, Any]:
        result = super().responses(operation)
        # django-ninja annotates the model as an instance (TModel) and passes classes itself.
        model: Any = _ErrorResponse
        error = self._create_schema_from_model(model, mode="serialization")[0]
        media = self.api.renderer.media_type
        for status in refusal_statuses(operation):
            declared = result.setdefault(
                status, {"description": DESCRIPTION.format(reason=reasons[status])}
            )
            content = declared.setdefault("content", {}).setdefault(media, {})
            own = content.get("schema")
            content["schema"] = error if own in (None, error) else {"anyOf": [own, error]}
        return dict(sorted(result.items()))


class CityLoopAPI(NinjaAPI):
    """NinjaAPI whose schema (``/api/openapi.json``, ``cityloop openapi``) declares refusals."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return RefusalsDeclared(self, path_prefix)
