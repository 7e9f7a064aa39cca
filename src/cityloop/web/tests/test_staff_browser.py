"""Browser tests of the staff pages: the HTMX action forms on the dispatch desk, the task board
and the inspector's phone page, the case detail's map; no CSP refusal. Screenshots go to
var/screenshots/staff-*.png."""

from __future__ import annotations

import pytest
from django.test import Client

from cityloop.events.models import Case
from cityloop.web.tests.conftest import jpeg, shoot
from cityloop.web.tests.staff_helpers import SHOP_POINT, filed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CSP_WORDS = ("Content Security Policy", "Content-Security-Policy")


def _as(pages, user, size="desktop", **options):
    """A page signed in as ``user`` (the session made by Django's test client)."""
    client = Client()
    client.force_login(user)
    page = pages.open(size, **options)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": pages.base_url}]
    )
    return page


def test_a_case_goes_from_the_dispatch_desk_to_the_inspector(loop, pages):
    case = filed(loop, description="东门步行街北口垃圾桶满溢")
    page = _as(pages, loop.dispatcher)
    page.goto("/dispatch/")
    shoot(page, "staff-dispatch")
    page.click(f"#case-{case.ticket} [data-action=dispatch-proposed]")
    page.wait_for_selector(f"#case-{case.ticket} .state-dispatched")
    assert Case.objects.get(pk=case.pk).state == "dispatched"

    page = _as(pages, loop.shop_handler, "phone")
    page.goto("/tasks/")
    page.click(f"#case-{case.ticket} [data-action=sign]")
    page.wait_for_selector(f"#action-{case.ticket} form")
    page.click(f"#action-{case.ticket} button[type=submit]")
    page.wait_for_selector(f"#case-{case.ticket} .state-handling")
    page.click(f"#case-{case.ticket} [data-action=feed_back]")
    page.wait_for_selector(f"#action-{case.ticket} textarea[name=comment][required]")
    shoot(page, "staff-tasks-form", sizes=("phone",))
    page.fill(f"#action-{case.ticket} textarea[name=comment]", "已清理干净")
    page.set_input_files(
        f"#action-{case.ticket} input[name=photos]",
        files=[{"name": "done.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}],
    )
    page.click(f"#action-{case.ticket} button[type=submit]")
    page.wait_for_selector(f"#case-{case.ticket} .state-fed_back")
    shoot(page, "staff-tasks")

    page = _as(
        pages,
        loop.inspector,
        "phone",
        geolocation={"longitude": SHOP_POINT[0], "latitude": SHOP_POINT[1]},
        permissions=["geolocation"],
    )
    page.goto("/inspect/")
    page.wait_for_selector(".distance")
    shoot(page, "staff-inspect")
    page.click(f"#case-{case.ticket} [data-action=verify]")
    page.click(f"#action-{case.ticket} button[type=submit]")
    page.wait_for_selector(f"#case-{case.ticket} .state-verified")

    page = _as(pages, loop.shift_leader)
    page.goto(f"/cases/{case.ticket}/")
    page.wait_for_selector(".case-map.leaflet-container")
    assert page.evaluate("CityLoopMap.instances.length") == 1
    assert page.locator(".timeline li").count() == 7
    assert page.locator(".photos img").count() >= 1
    shoot(page, "staff-case")
    page.goto("/cases/")
    shoot(page, "staff-cases")
    assert not [e for e in pages.console_errors if any(w in e for w in CSP_WORDS)]
