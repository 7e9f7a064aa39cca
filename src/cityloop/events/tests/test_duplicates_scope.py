"""Likely duplicates are scoped like every other read: a user sees only the cases they may see.

Two streets: a case in street 001 (the shop's point) and one of the same category in street 002
(a plain point about 4 km away), with the bureau's duplicate distance set wide enough to join
them. The street-001 dispatcher sees his own case but not street 002's, on every door.
"""

import pytest

from cityloop.events.models import Case
from cityloop.events.selectors.duplicates import duplicate_candidates
from cityloop.events.tests.conftest import PLAIN_POINT, SHOP_POINT

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_streets(loop, settings, monday_morning):
    settings.CITYLOOP_DUPLICATE_DISTANCE_M = 10_000
    own = loop.report(point=SHOP_POINT, source="citizen")  # street 001
    other = loop.report(point=PLAIN_POINT, source="citizen")  # street 002
    assert list(Case.objects.visible_to(loop.street_dispatcher)) == [own]
    return own, other


def test_the_candidates_are_only_cases_the_user_may_see(loop, two_streets):
    own, other = two_streets
    assert duplicate_candidates(own, user=loop.street_dispatcher) == []
    found = duplicate_candidates(own, user=loop.dispatcher)
    assert [c.ticket for c, _ in found] == [other.ticket]


def test_the_case_detail_in_the_api_hides_other_streets_duplicates(loop, login, two_streets):
    own, other = two_streets
    body = login(loop.street_dispatcher).get(f"/api/cases/{own.ticket}").json()
    assert body["duplicates"] == []
    assert other.ticket not in str(body)


def test_the_duplicates_endpoint_hides_other_streets_cases(loop, login, two_streets):
    own, _other = two_streets
    response = login(loop.street_dispatcher).get(f"/api/cases/{own.ticket}/duplicates")
    assert (response.status_code, response.json()) == (200, [])


def test_the_case_page_hides_other_streets_duplicates(loop, login, two_streets):
    own, other = two_streets
    page = login(loop.street_dispatcher).get(f"/cases/{own.ticket}/")
    assert page.status_code == 200
    assert page.context["duplicates"] == [] and page.context["detail"]["duplicates"] == []
    assert other.ticket not in page.content.decode()


def test_the_district_dispatcher_still_sees_both_streets(loop, login, two_streets):
    own, other = two_streets
    client = login(loop.dispatcher)
    body = client.get(f"/api/cases/{own.ticket}").json()
    assert [d["ticket"] for d in body["duplicates"]] == [other.ticket]
    page = client.get(f"/cases/{own.ticket}/")
    assert [d["case"].ticket for d in page.context["duplicates"]] == [other.ticket]


def test_nearer_cases_of_another_street_do_not_crowd_out_the_users_own(
    loop, login, settings, monday_morning
):
    settings.CITYLOOP_DUPLICATE_DISTANCE_M = 10_000
    own = loop.report(point=(114.1195, 22.5405), source="citizen")  # street 001, by the border
    for _ in range(10):  # 100 m east, over the border in street 002: nearer, not visible
        loop.report(point=(114.1205, 22.5405), source="citizen")
    mine = loop.report(point=SHOP_POINT, source="citizen")  # street 001, about 2.8 km away
    body = login(loop.street_dispatcher).get(f"/api/cases/{own.ticket}/duplicates").json()
    assert [d["ticket"] for d in body] == [mine.ticket]
