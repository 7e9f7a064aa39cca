"""Browser tests: Debian's Chromium against a live server (Playwright).

A citizen reports on a phone with a photo and a map click, gets a ticket, follows it, and rates
it once staff (through the services) have closed it; the map converts GCJ-02 tiles' clicks to
WGS-84; the sign-in lock-out; the CSP runs no inline script and refuses none of ours.
Screenshots of every page go to var/screenshots/<name>-<size>.png.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from cityloop.events.choices import CaseState
from cityloop.events.models import Case
from cityloop.events.tests.conftest import SHOP_POINT, category
from cityloop.geo import coordinates
from cityloop.web.tests.conftest import jpeg, shoot
from cityloop.web.tests.test_public_views import _close

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CSP_WORDS = ("Content Security Policy", "Content-Security-Policy")


def _csp_errors(pages) -> list[str]:
    return [e for e in pages.console_errors if any(w in e for w in CSP_WORDS)]


def _map_ready(page) -> None:
    page.wait_for_selector(".map[data-ready='1']")


def _click_map_at(page, lon: float, lat: float, selector: str = "#report-map") -> None:
    """A real click on the map, at the pixel where a WGS-84 point is drawn (zoomed in on it
    first, as a person would, so that the zoom buttons are not in the way)."""
    x, y = page.evaluate(
        """([lon, lat]) => { const m = CityLoopMap.instances[0], ll = m.toDisplay(lon, lat);
             m.map.setView(ll, 16, {animate: false});
             const p = m.map.latLngToContainerPoint(ll); return [p.x, p.y]; }""",
        [lon, lat],
    )
    page.locator(selector).click(position={"x": x, "y": y})


def test_a_citizen_reports_on_a_phone_follows_and_rates(loop, pages):
    translation.activate("zh-hans")  # the browser asks for Chinese; labels compared in Chinese
    page = pages.open("phone")
    page.goto("/")
    shoot(page, "home")
    page.click("a.door-primary")
    _map_ready(page)
    shoot(page, "report-empty")

    page.set_input_files(
        "#id_photos", files=[{"name": "bin.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    page.wait_for_selector("#photo-previews img")
    _click_map_at(page, *SHOP_POINT)
    lon, lat = float(page.input_value("#id_lon")), float(page.input_value("#id_lat"))
    assert abs(lon - SHOP_POINT[0]) < 1e-4 and abs(lat - SHOP_POINT[1]) < 1e-4
    page.fill("#category-search", category("01", "10").name)
    assert page.eval_on_selector("#id_category", "s => s.selectedOptions[0].textContent") == (
        category("01", "10").name
    )
    page.select_option("#id_category", str(category("01", "10").pk))
    page.fill("#id_description", "东门步行街北口垃圾桶满溢，地面有散落垃圾")
    page.fill("#id_address", "东门步行街北口")
    shoot(page, "report-filled")
    page.click("#report-submit")

    page.wait_for_url("**/report/done/**")
    ticket, key = page.text_content("#ticket-number"), page.text_content("#ticket-key")
    shoot(page, "report-done")
    case = Case.objects.get(ticket=ticket)
    assert (case.source, case.reporter_key, case.attachments.count()) == ("citizen", key, 1)
    assert (case.grid.code, case.zone.owner) == ("440303001001001", loop.tiny.shop)

    page.goto("/report/track/")
    page.fill("#id_ticket", ticket)
    shoot(page, "track")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/report/track/{ticket}/")
    assert page.text_content("#case-state") == str(CaseState.REPORTED.label)
    assert page.locator(".photos img").count() == 1
    page.wait_for_function("() => document.querySelector('.photos img').naturalWidth > 0")
    shoot(page, "case-reported")

    _close(loop, case)
    page.reload()
    assert page.text_content("#case-state") == str(CaseState.CLOSED.label)
    assert page.input_value("#id_key") == key  # this browser reported it: the key is filled in
    page.click("label.star:has(input[value='5'])")
    page.fill("#id_comment", "处理很快，谢谢")
    shoot(page, "case-rate")
    page.click("#rate button[type=submit]")
    page.wait_for_selector(".stars-shown")
    shoot(page, "case-rated")
    case.refresh_from_db()
    assert (case.state, case.satisfaction, case.evaluation_comment) == (
        "evaluated",
        5,
        "处理很快，谢谢",
    )
    assert _csp_errors(pages) == [], pages.console_errors
    assert pages.console_errors == [], pages.console_errors


def test_bad_input_shows_next_to_the_field_in_the_browser(tiny, pages):
    page = pages.open("phone")
    page.goto("/report/")
    _map_ready(page)
    page.click("#report-submit")
    page.wait_for_selector("#field-description .field-error")
    assert page.locator("#field-lon .field-error").count() == 1
    shoot(page, "report-errors")
    assert Case.objects.count() == 0


def test_the_phone_position_fills_the_place(tiny, pages):
    page = pages.open(
        "phone",
        geolocation={"longitude": SHOP_POINT[0], "latitude": SHOP_POINT[1]},
        permissions=["geolocation"],
    )
    page.goto("/report/")
    _map_ready(page)
    page.click("#locate-me")
    page.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    assert float(page.input_value("#id_lon")) == pytest.approx(SHOP_POINT[0], abs=1e-7)
    assert float(page.input_value("#id_lat")) == pytest.approx(SHOP_POINT[1], abs=1e-7)


def test_on_gcj02_tiles_a_click_is_sent_in_wgs84(tiny, pages, settings):
    settings.CITYLOOP_MAP_TILE_CRS = "gcj02"  # AMap's system; no tile URL: boundaries only
    page = pages.open("desktop")
    page.goto("/report/")
    _map_ready(page)
    # The district's north-west corner is drawn where GCJ-02 puts it, not at its WGS-84 place.
    drawn = page.evaluate(
        "() => { const m = CityLoopMap.instances[0]; const ll = m.toDisplay(114.10, 22.56);"
        " return [ll.lng, ll.lat]; }"
    )
    expected = coordinates.from_wgs84(114.10, 22.56, "gcj02")
    assert drawn == pytest.approx(list(expected), abs=1e-9)
    assert abs(drawn[0] - 114.10) > 0.004  # the offset is hundreds of metres here
    _click_map_at(page, *SHOP_POINT)
    lon, lat = float(page.input_value("#id_lon")), float(page.input_value("#id_lat"))
    assert abs(lon - SHOP_POINT[0]) < 1e-4 and abs(lat - SHOP_POINT[1]) < 1e-4


def test_the_js_conversions_match_the_python_ones(tiny, pages):
    page = pages.open("desktop")
    page.goto("/report/")
    page.wait_for_function("() => window.CityLoopCoords")
    points = [(114.1183, 22.548), (113.9, 22.5), (116.397, 39.909), (2.35, 48.85)]
    for crs in ("gcj02", "bd09"):
        there = page.evaluate(
            "([pts, crs]) => pts.map(p => CityLoopCoords.fromWgs84(p[0], p[1], crs))",
            [points, crs],
        )
        back = page.evaluate(
            "([pts, crs]) => pts.map(p => CityLoopCoords.toWgs84(p[0], p[1], crs))",
            [there, crs],
        )
        for (lon, lat), js, js_back in zip(points, there, back, strict=True):
            assert js == pytest.approx(list(coordinates.from_wgs84(lon, lat, crs)), abs=1e-9)
            assert js_back == pytest.approx([lon, lat], abs=1e-8)


def test_a_username_is_locked_after_five_failures(tiny, pages):
    page = pages.open("desktop")
    page.goto("/login/")
    shoot(page, "login")
    for _ in range(5):
        page.fill("#id_username", "street-001-handler")
        page.fill("#id_password", "wrong-password")
        page.click("main button[type=submit]")
        page.wait_for_selector(".notice-error")
    assert "锁定" in page.text_content(".notice-error")
    shoot(page, "login-locked")
    page.fill("#id_password", "s3cret-pass-42")
    page.click("main button[type=submit]")
    page.wait_for_selector(".notice-error")
    assert page.url.endswith("/login/") and "锁定" in page.text_content(".notice-error")


def test_the_csp_runs_our_scripts_and_refuses_inline_ones(tiny, pages):
    page = pages.open("desktop")
    for url in ("/", "/report/track/", "/login/", "/report/"):
        page.goto(url)
    _map_ready(page)
    assert _csp_errors(pages) == []
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.injected") is None
    assert _csp_errors(pages), "the inline script was refused with a CSP report in the console"


def test_the_api_docs_render_under_the_csp_with_no_cdn(tiny, pages):
    page = pages.open("desktop")
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info")
    assert _csp_errors(pages) == []


def test_the_language_switch_turns_the_report_page_to_english(tiny, pages):
    page = pages.open("phone")
    page.goto("/report/")
    page.click("form.lang button")
    page.wait_for_selector("html[lang=en]")
    assert page.text_content("main h1") == "Report a problem"
    _map_ready(page)
    shoot(page, "report-en")
