"""The garbage-sorting dashboard in a browser (Chromium against a live server): the map draws
one marker per collection point coloured by its correct-sorting rate, the charts draw (today,
still under way, apart from the whole days), the period switch refetches, a marker leads to
its point's page, and the CSP refuses none of our scripts. Screenshots:
var/screenshots/sorting-<size>.png, sorting-point-<size>.png.
"""

from __future__ import annotations

import pytest
from django.test import Client

from cityloop.web.tests.conftest import shoot
from cityloop.web.tests.sorting_data import build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
# Functions, not expressions: Playwright evaluates a bare expression with eval() (CSP).
MARKERS = "() => document.querySelectorAll('#sorting-map path.leaflet-interactive').length"
FILLS = (
    "() => Array.from(document.querySelectorAll('#sorting-map path.leaflet-interactive'))"
    ".map(p => p.getAttribute('fill')).sort()"
)

RATES_CHART = """() => {
  const chart = window.echarts && echarts.getInstanceByDom(document.getElementById('chart-rates'));
  if (!chart || !chart.getOption().series) return {dashed: 0};
  const o = chart.getOption(), series = o.series;
  const dashed = series.filter(s => s.lineStyle && s.lineStyle.type === 'dashed');
  const solid = series.filter(s => !(s.lineStyle && s.lineStyle.type === 'dashed'));
  const notes = (o.graphic || []).flatMap(g => g.elements || []).map(e => e.style && e.style.text);
  return {note: notes.join(''), dashed: dashed.length,
          solid_last: solid.map(s => s.data.at(-1) ?? null)};
}"""


def test_the_dashboard_map_shows_points_and_the_charts_draw(tiny, pages):
    world = build(tiny)
    client = Client()
    client.force_login(world.users["district"])
    page = pages.open("desktop")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": pages.base_url}]
    )

    page.goto("/sorting/")
    page.wait_for_selector("#sorting-map[data-ready='1'][data-points='2']")
    page.wait_for_function(f"() => ({MARKERS})() === 2")
    # This month: P-001 has 3 of 5 correct (poor, red), P-002 2 of 2 (good, green).
    assert page.evaluate(FILLS) == ["#1b8a4b", "#c62828"]
    page.wait_for_selector("#chart-rates canvas")
    page.wait_for_selector("#chart-tonnes canvas")
    page.wait_for_selector("#chart-ranking canvas")
    # Today is under way: a note says so and each rate's segment to today is dashed.
    page.wait_for_function(f"() => ({RATES_CHART})().dashed === 6")
    drawn = page.evaluate(RATES_CHART)
    assert drawn["note"].startswith("- - 今日截至 ") and drawn["solid_last"] == [None] * 6

    page.click(".period-button[data-period=today]")  # today: P-001 3 of 4 (fair, amber)
    page.wait_for_function(f"() => ({FILLS})().join() === '#1b8a4b,#c77700'")

    page.locator("#sorting-map path.leaflet-interactive").first.click(force=True)
    link = page.wait_for_selector(".leaflet-popup a[href^='/sorting/points/']")
    href = link.get_attribute("href")
    assert pages.console_errors == []
    shoot(page, "sorting")

    page.goto(href)
    assert page.locator("table.records tbody tr").count() >= 2
    assert pages.console_errors == []
    shoot(page, "sorting-point")
