"""The HTTP door of the ingestion pipeline: ``POST /api/ingest``.

A plain Django view rather than a django-ninja route (docs/decisions/0020-ingest-http.md): the
body is a JSON array or NDJSON read as text, and the device token must never be mistaken for a
staff token (``cityloop.api``'s TokenAuth). No cookies are involved, hence no CSRF check.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cityloop.core.i18n import both
from cityloop.devices import ingest as pipeline
from cityloop.devices.tokens import device_for_token


@csrf_exempt
@require_POST
def ingest(request: HttpRequest) -> JsonResponse:
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    sender = device_for_token(key.strip()) if scheme.lower() == "bearer" else None
    if sender is None:
        response = JsonResponse(
            {"detail": both(_("Unknown, wrong or disabled device token."))}, status=401
        )
        response["WWW-Authenticate"] = "Bearer"
        return response
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return _bad_request(_("The body is not UTF-8."))
    content_type = request.content_type or ""
    if "ndjson" in content_type or "jsonlines" in content_type:
        messages = pipeline.parse_ndjson(body)
    else:
        messages = pipeline.parse_array(body)
        if messages is None:
            return _bad_request(_("The body is not JSON; send NDJSON as application/x-ndjson."))
    return JsonResponse(pipeline.ingest(sender=sender, messages=messages).as_json())


def _bad_request(message) -> JsonResponse:
    return JsonResponse({"detail": both(message)}, status=400)
