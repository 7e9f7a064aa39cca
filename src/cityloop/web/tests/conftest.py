"""Fixtures of the web tests: the events' loop (every role), the enforcement team, a clean
throttle, and a browser.

Browser tests (``@pytest.mark.browser``) get a live server and Debian's Chromium through
Playwright; the root conftest.py skips them without Chromium, or fails them under CI=true.
``shoot(page, name)`` saves a screenshot to var/screenshots/<name>-<size>.png.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from PIL import Image

from cityloop.enforcement.tests.conftest import team  # noqa: F401  (fixture)
from cityloop.events.tests.conftest import loop, monday_morning  # noqa: F401  (fixtures)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = Path(settings.PROJECT_DIR) / "var" / "screenshots"


def jpeg(color=(60, 140, 200), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The per-IP counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


# Django's copy of the migrated data (the category catalogue), per database alias.
_SERIALIZED: dict[str, str] = {}


def _remember_serialized() -> None:
    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            _SERIALIZED[alias] = contents


def _restore_serialized_if_skipped() -> None:
    """Playwright's sync API runs this thread in a greenlet with its own context, so Django
    hands out new connection objects that lack the serialized copy, and then skips the
    ``serialized_rollback`` restore. Give them the copy and restore what Django skipped."""
    for alias, contents in _SERIALIZED.items():
        connection = connections[alias]
        if not hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = contents
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(scope="session")
def browser(django_db_setup):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():  # only reached under CI=true (root conftest.py skips else)
        pytest.fail(f"CI=true and no Chromium at {CHROMIUM}: .ci/run installs it", pytrace=False)
    # Playwright's sync API keeps an event loop on this thread; Django's ORM calls from the
    # test itself are still synchronous (the documented switch for exactly this case).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _remember_serialized()
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()
    playwright.stop()


class Pages:
    """Opens pages at a named size and records console errors (CSP refusals show there)."""

    def __init__(self, browser, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.contexts: list = []
        self.console_errors: list[str] = []

    def open(self, size: str = "desktop", **context_options):
        is_phone = size == "phone"
        context_options.setdefault("locale", "zh-CN")
        context = self.browser.new_context(
            viewport=SIZES[size],
            base_url=self.base_url,
            is_mobile=is_phone,
            has_touch=is_phone,
            device_scale_factor=1,
            **context_options,
        )
        self.contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, live_server):
    _restore_serialized_if_skipped()
    opened = Pages(browser, live_server.url)
    yield opened
    opened.close()


def shoot(page, name: str, sizes=("desktop", "phone")) -> list[Path]:
    """Screenshots of the page as it is now, at each size: var/screenshots/<name>-<size>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky top bar stays on top
    saved = []
    for size in sizes:
        page.set_viewport_size(SIZES[size])
        page.wait_for_timeout(150)  # Leaflet redraws on resize
        path = SCREENSHOTS / f"{name}-{size}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
    return saved
