"""Operational endpoints: /healthz and /version."""

from __future__ import annotations

import platform
from typing import Any

import django
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import cityloop
from cityloop.core.health import check_health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and every migration is applied, 503 otherwise."""
    health = check_health()
    body: dict[str, Any] = {
        "status": "ok" if health.ok else "unavailable",
        "database": "ok" if health.database else "unreachable",
        "migrations": "ok" if not health.migrations_pending else "pending",
    }
    if health.migrations_pending:
        body["pending"] = health.migrations_pending
    if health.error:
        body["error"] = health.error
    return JsonResponse(body, status=200 if health.ok else 503)


@require_GET
def version(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": "cityloop",
            "version": cityloop.__version__,
            "django": django.get_version(),
            "python": platform.python_version(),
        }
    )


def home(request: HttpRequest):
    """Until the web UI lands, the home page is the administration site."""
    return redirect("admin:index")
