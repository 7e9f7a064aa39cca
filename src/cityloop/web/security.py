"""Security headers for every response: a Content-Security-Policy that runs only our own scripts.

No inline script anywhere: templates pass data to JavaScript with ``json_script`` (a JSON data
block, which CSP does not execute) and behaviour lives in files under ``static/``. Leaflet sets
element styles from script (allowed: CSP's style-src governs style sheets and style attributes
in markup, not the CSSOM). The configured tile host is allowed as an image source.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def tile_origin() -> str:
    """The map tiles' origin in CSP source form (``https://*.example.com``), or ''."""
    url = settings.CITYLOOP_MAP_TILE_URL
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "*"))
    host = parts.hostname or ""
    if "*" in parts.netloc:
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def content_security_policy() -> str:
    img = " ".join(filter(None, ["'self'", "data:", "blob:", tile_origin()]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {img}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Adds the CSP (unless a view set its own) and a conservative Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        # The phone's camera is used through <input capture>, which needs no permission.
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(self), camera=(), microphone=()"
        )
        return response
