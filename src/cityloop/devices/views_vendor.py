"""Vendor HTTP doors of the ingestion pipeline: ThingsBoard's device telemetry API.

``POST /api/v1/{token}/telemetry`` as ThingsBoard's device HTTP API has it: the device token in
the path, the body a values object, ``{"ts": ms, "values": {...}}`` or a list of them. Each
entry becomes one message of the device's kind (``cityloop.devices.adapters``). The statuses
are ThingsBoard's (200 stored, 401 bad token, 400 not JSON); the body carries our outcome
(accepted, duplicates, quarantined with bilingual reasons), which ThingsBoard firmware ignores.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cityloop.core.i18n import both
from cityloop.devices import adapters
from cityloop.devices import ingest as pipeline
from cityloop.devices.tokens import device_for_token


@csrf_exempt
@require_POST
def thingsboard_telemetry(request: HttpRequest, token: str) -> JsonResponse:
    device = device_for_token(token)
    if device is None:
        return JsonResponse(
            {"detail": both(_("Unknown, wrong or disabled device token."))}, status=401
        )
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse(
            {"detail": both(_("The body is not JSON (ThingsBoard telemetry)."))}, status=400
        )
    if body == [] or body == {}:
        return JsonResponse({"detail": both(_("No telemetry in the body."))}, status=400)
    messages = adapters.thingsboard_messages(device, body)
    return JsonResponse(pipeline.ingest(sender=device, messages=messages).as_json())
