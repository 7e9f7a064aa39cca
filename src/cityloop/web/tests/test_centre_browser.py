"""The command centre in a browser (Chromium against a live server): the map draws the open
cases, the charts draw (today's hours up to the one under way), a new case shows on the map
and in the figures without a page reload, and the CSP refuses none of our scripts.
Screenshots: var/screenshots/centre-<size>.png.
"""

from __future__ import annotations

import pytest

from cityloop.events.tests.conftest import PASSWORD, PLAIN_POINT, SHOP_POINT
from cityloop.web.tests.conftest import shoot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
# Functions, not expressions: Playwright evaluates a bare expression with eval(), which the
# CSP refuses.
NOTE_STARTS = "(s) => document.getElementById('centre-map-note').textContent.startsWith(s)"
OPEN_NOW_IS = (
    "(n) => document.querySelector('#centre-figures .figures-open strong').textContent.trim() === n"
)

HOUR_CHART = "echarts.getInstanceByDom(document.getElementById('chart-hour')).getOption()"
HOUR_NOTE_STARTS = (
    f"(s) => {{ const o = {HOUR_CHART}; return (o.graphic || []).flatMap(g => g.elements || [])"
    ".some(e => e.style && e.style.text.startsWith(s)); }"
)
HOURS_TO_COME_EMPTY = (  # the pale bar is the hour under way; none after it
    f"() => {{ const data = {HOUR_CHART}.series[0].data;"
    " const hour = data.findIndex(v => v && v.itemStyle && v.itemStyle.opacity < 1);"
    " return data.length === 24 && hour >= 0 && data.slice(hour + 1).every(v => v === null); }"
)


def _sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_the_centre_shows_a_new_case_without_a_reload(loop, pages):
    loop.report(point=SHOP_POINT)
    page = pages.open("desktop")
    _sign_in(page, loop.leader.username)

    page.goto("/centre/")
    page.wait_for_selector(".map[data-ready='1']")
    page.wait_for_function(NOTE_STARTS, arg="1 ")
    page.wait_for_selector("#chart-hour canvas")
    assert page.text_content("#centre-figures .figures-open strong").strip() == "1"

    loop.report(point=PLAIN_POINT)
    page.evaluate("() => CityLoopMap.instances[0].map.panBy([2, 2])")  # moving refetches
    page.wait_for_function(NOTE_STARTS, arg="2 ")
    # What the 30 s poll does (hx-get of the panel into itself), without waiting for it:
    page.evaluate("() => htmx.ajax('GET', '/centre/panels/figures/', '#centre-figures')")
    page.wait_for_function(OPEN_NOW_IS, arg="2")

    # Today's hours: the hour under way is noted, the hours to come have no bar.
    page.click(".period-button[data-period=today]")
    page.wait_for_function(HOUR_NOTE_STARTS, arg="- - 今日截至 ")
    assert page.evaluate(HOURS_TO_COME_EMPTY)

    assert pages.console_errors == []
    shoot(page, "centre")
