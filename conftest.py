"""Suite-wide pytest set-up: which database we run on, and the CI rule for services.

With CI=true a test that needs a service (PostgreSQL, MQTT, Chromium) must run and fail loudly
if the service is missing; without CI it may skip with a clear reason.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _on_postgres() -> bool:
    return os.environ.get("CITYLOOP_DATABASE_URL", "").startswith(("postgres", "postgresql"))


def pytest_report_header(config):
    db = "PostgreSQL" if _on_postgres() else "SQLite"
    return [f"CityLoop suite on {db}; CI={'yes' if IN_CI else 'no'}"]


CHROMIUM = Path("/usr/bin/chromium")


def _mqtt_broker() -> tuple[str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(os.environ.get("CITYLOOP_MQTT_URL") or "mqtt://127.0.0.1:1883")
    return parts.hostname or "127.0.0.1", parts.port or 1883


def _mqtt_up() -> bool:
    import socket

    try:
        socket.create_connection(_mqtt_broker(), timeout=1).close()
    except OSError:
        return False
    return True


def pytest_collection_modifyitems(config, items):
    postgres_reason = (
        "needs PostgreSQL: runs in the PostgreSQL pass (CITYLOOP_DATABASE_URL=postgres://…), "
        "which .ci/run always makes"
    )
    browser_reason = (
        f"needs Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it); "
        "with CI=true the test fails instead"
    )
    host, port = _mqtt_broker()
    mqtt_reason = (
        f"needs an MQTT broker on {host}:{port} (apt-get install mosquitto; CITYLOOP_MQTT_URL); "
        "with CI=true the test fails instead"
    )
    libreoffice_reason = (
        "needs LibreOffice (soffice) for PDF rendering (apt-get install libreoffice-writer-nogui; "
        ".ci/run installs it); with CI=true the test fails instead"
    )
    mqtt_up = None
    for item in items:
        if "libreoffice" in item.keywords and not IN_CI and not shutil.which("soffice"):
            item.add_marker(pytest.mark.skip(reason=libreoffice_reason))
        if "mqtt" in item.keywords and not IN_CI:
            mqtt_up = _mqtt_up() if mqtt_up is None else mqtt_up
            if not mqtt_up:
                item.add_marker(pytest.mark.skip(reason=mqtt_reason))
        if "postgres" in item.keywords and not _on_postgres():
            item.add_marker(pytest.mark.skip(reason=postgres_reason))
        if "browser" in item.keywords and not IN_CI and not CHROMIUM.exists():
            item.add_marker(pytest.mark.skip(reason=browser_reason))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness buys nothing in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
