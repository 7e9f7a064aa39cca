"""The HTTP doors of the ingestion pipeline: ``POST /api/ingest`` and, for the images the
records name, ``POST /api/ingest/snapshot``.

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
from cityloop.core.refusals import ActionRefused
from cityloop.devices import ingest as pipeline
from cityloop.devices import snapshots
from cityloop.devices.tokens import device_for_token


@csrf_exempt
@require_POST
def ingest(request: HttpRequest) -> JsonResponse:
    sender = _device(request)
    if sender is None:
        return _unauthorised()
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


def _device(request: HttpRequest):
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    return device_for_token(key.strip()) if scheme.lower() == "bearer" else None


def _unauthorised() -> JsonResponse:
    response = JsonResponse(
        {"detail": both(_("Unknown, wrong or disabled device token."))}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def _bad_request(message) -> JsonResponse:
    return JsonResponse({"detail": both(message)}, status=400)


@csrf_exempt
@require_POST
def snapshot(request: HttpRequest) -> JsonResponse:
    """``POST /api/ingest/snapshot?name=…``: the image a device's records name (body: the image
    bytes), stored by its SHA-256 (``snapshots.snapshot_store``). 201 with the digest; 409 for
    an image an evidence package has sealed; 422 for a missing name or an empty body."""
    sender = _device(request)
    if sender is None:
        return _unauthorised()
    name = request.GET.get("name", "")
    try:
        stored = snapshots.snapshot_store(device=sender, name=name, content=request.body)
    except ActionRefused as refused:
        return JsonResponse({"detail": [refused.as_item()]}, status=refused.status)
    body = {"name": stored.name, "sha256": stored.sha256, "size": stored.size}
    return JsonResponse(body, status=201)
