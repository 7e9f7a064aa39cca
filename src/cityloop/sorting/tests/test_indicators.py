"""Indicator formulas (docs/indicators.md) on the hand-checked data set of ``sorting_data``.

Every expected value is worked out by hand in the comment beside it from the messages listed in
``sorting_data.MESSAGES`` (day 1 = 2026-11-24, day 2 = 2026-11-25, "today" is day 2).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityloop.sorting import indicators
from cityloop.sorting.indicators import Period
from cityloop.sorting.tests.sorting_data import DAY1, DAY2, NOV, make

pytestmark = pytest.mark.django_db

OCT = date(2026, 10, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def sorting(tiny):
    yield from make(tiny)


def approx(value):
    return pytest.approx(value, abs=1e-9)


def test_district_day(sorting):
    got = indicators.summary(sorting.tiny.district, Period.of_day(DAY1))

    # judged: A kitchen 2 + A other 1 (H1's other unjudged) + B 2 = 5; correct: 1 + 1 + 2 = 4
    assert (got.disposals, got.judged, got.correct) == (6, 5, 4)
    assert got.correct_sorting_rate == approx(4 / 5)
    # trucks: kitchen 40, other 60, recyclable 20 (the unknown bin's 99 kg has no point)
    assert got.collected_t == approx(
        {"kitchen": 0.04, "recyclable": 0.02, "hazardous": 0, "other": 0.06}
    )
    assert got.kitchen_sorting_rate == approx(40 / 120)
    assert got.recycling_rate == approx((40 + 20) / 120)
    # households: A {H1, H2}, B {H4}, C {H6} of 8 registered
    assert (got.households_disposed, got.households_registered) == (4, 8)
    assert got.participation_rate == approx(4 / 8)
    # 7 active devices (SC-OFF disabled); SC-A, SC-B, CAM-A, TRK, WB sent on day 1
    assert (got.devices, got.device_days, got.device_days_online) == (7, 7, 5)
    assert got.device_online_rate == approx(5 / 7)
    # V1 (sorting), V2 (not), V3 (sorting); V4's category unsupervised, V5 inactive
    assert (got.venues, got.venues_sorting) == (3, 2)
    assert got.venue_coverage == approx(2 / 3)
    assert got.treated_t == approx({"kitchen": 1.0, "recyclable": 0, "hazardous": 0, "other": 3.0})
    assert (got.alarms, got.collections) == (2, 3)
    assert (got.start, got.end, got.grain, got.unit_kind) == (DAY1, DAY1, "day", "district")


def test_district_month(sorting):
    got = indicators.summary(sorting.tiny.district, Period.of_month(DAY2))

    assert (got.start, got.end) == (NOV, date(2026, 11, 30))
    # judged 5 + day 2 (A 2, C 2) = 9; correct 4 + (2 + 1) = 7
    assert got.correct_sorting_rate == approx(7 / 9)
    # kitchen 40 + 30 = 70, other 60 + 70 = 130, recyclable 20: 220 kg
    assert got.kitchen_sorting_rate == approx(70 / 220)
    assert got.recycling_rate == approx(90 / 220)
    # H1 H2 H3 H4 H6 H7 disposed in November
    assert got.participation_rate == approx(6 / 8)
    # 7 devices × 6 days (made 11-20, today 11-25); online: 5 on day 1 + 4 on day 2
    assert (got.device_days, got.device_days_online) == (42, 9)
    assert got.device_online_rate == approx(9 / 42)
    assert got.treated_t["kitchen"] == approx(1.5)
    assert got.treated_t["other"] == approx(3.0)


def test_street_and_community(sorting):
    street = indicators.summary(sorting.tiny.streets["001"], Period.of_month(DAY1))

    # points A and B: judged 2+1+1+1+2 = 7, correct 1+1+1+1+2 = 6
    assert street.correct_sorting_rate == approx(6 / 7)
    # kitchen 70, other 60, recyclable 20
    assert street.kitchen_sorting_rate == approx(70 / 150)
    assert street.recycling_rate == approx(90 / 150)
    # A {H1 H2 H3} + B {H4} of 5 registered (H6 disposed at B but lives in C)
    assert street.participation_rate == approx(4 / 5)
    # SC-A, SC-B, CAM-A × 6 days; online day 1: 3, day 2: SC-A
    assert (street.device_days, street.device_days_online) == (18, 4)
    assert street.venue_coverage == approx(1 / 2)
    assert street.treated_t is None  # plants are district-level only

    community = indicators.summary(sorting.communities["A"], Period.of_day(DAY2))
    assert (community.households_disposed, community.households_registered) == (2, 3)
    assert community.participation_rate == approx(2 / 3)
    assert community.correct_sorting_rate == approx(1.0)
    assert (community.device_days, community.device_days_online) == (2, 1)  # SC-A, CAM-A
    assert community.kitchen_sorting_rate == approx(1.0)  # only kitchen collected at A that day

    empty = indicators.summary(sorting.communities["D"], Period.of_day(DAY1))
    # no point in D: nothing to rate, but its registered households are known
    assert empty.correct_sorting_rate is None and empty.kitchen_sorting_rate is None
    assert empty.device_online_rate is None
    assert (empty.participation_rate, empty.households_registered) == (0.0, 2)


def test_the_tonnage_basis_is_a_setting(sorting, settings):
    settings.CITYLOOP_SORTING_RATE_BASIS = "disposed"
    got = indicators.summary(sorting.tiny.district, Period.of_day(DAY1))
    # scale weights on day 1: kitchen 2 + 1 + 1.5 = 4.5, other 3 + 1 = 4, recyclable 0.5
    assert got.kitchen_sorting_rate == approx(4.5 / 9)
    assert got.recycling_rate == approx(5.0 / 9)

    settings.CITYLOOP_SORTING_RATE_BASIS = "weighed"
    with pytest.raises(ValueError, match="CITYLOOP_SORTING_RATE_BASIS"):
        indicators.summary(sorting.tiny.district, Period.of_day(DAY1))


def test_ranking_of_streets_and_of_communities(sorting):
    streets = indicators.ranking(sorting.tiny.district, Period.of_month(DAY1))
    assert [(r.rank, r.unit_name) for r in streets] == [(1, "街道001"), (2, "街道002")]
    assert [r.value for r in streets] == [approx(6 / 7), approx(1 / 2)]
    # each row carries the child's full indicators, equal to its own summary
    alone = indicators.summary(sorting.tiny.streets["002"], Period.of_month(DAY1))
    assert streets[1].indicators == alone

    by_participation = indicators.ranking(
        sorting.tiny.district, Period.of_month(DAY1), by="participation_rate"
    )
    assert [r.value for r in by_participation] == [approx(4 / 5), approx(2 / 3)]

    communities = indicators.ranking(sorting.tiny.streets["001"], Period.of_month(DAY1))
    # B: 2 judged, 2 correct; A: 5 judged, 4 correct
    assert [(r.rank, r.unit_name, r.value) for r in communities] == [
        (1, "社区001002", approx(1.0)),
        (2, "社区001001", approx(0.8)),
    ]
    second = indicators.ranking(sorting.tiny.streets["002"], Period.of_month(DAY1))
    assert [(r.rank, r.unit_name, r.value) for r in second] == [
        (1, "社区002001", approx(0.5)),
        (None, "社区002002", None),  # nothing judged: last, unranked
    ]
    with pytest.raises(ValueError, match="by"):
        indicators.ranking(sorting.tiny.district, Period.of_month(DAY1), by="disposals")
    with pytest.raises(ValueError, match="no child"):
        indicators.ranking(sorting.communities["A"], Period.of_month(DAY1))


def test_daily_and_monthly_trend(sorting):
    days = indicators.trend(sorting.tiny.district, date(2026, 11, 23), DAY2)
    assert [d.start for d in days] == [date(2026, 11, 23), DAY1, DAY2]
    assert [d.correct_sorting_rate for d in days] == [None, approx(4 / 5), approx(3 / 4)]
    # day 2: A {H1 H3}, C {H6}, D {H7}
    assert [d.participation_rate for d in days] == [0.0, approx(4 / 8), approx(4 / 8)]
    assert [d.device_online_rate for d in days] == [0.0, approx(5 / 7), approx(4 / 7)]
    assert [d.treated_t["kitchen"] for d in days] == [0, approx(1.0), approx(0.5)]
    # each day of the trend is that day's summary
    assert days[2] == indicators.summary(sorting.tiny.district, Period.of_day(DAY2))

    months = indicators.trend(sorting.tiny.district, OCT, DAY2, grain="month")
    assert [(m.start, m.end, m.grain) for m in months] == [
        (OCT, date(2026, 10, 31), "month"),
        (NOV, date(2026, 11, 30), "month"),
    ]
    assert months[0].correct_sorting_rate is None and months[0].device_online_rate is None
    assert months[1] == indicators.summary(sorting.tiny.district, Period.of_month(DAY1))


def test_the_day_and_month_under_way_are_marked_partial(sorting):
    # Given day 2, 10:00 (the fixture's clock): day 2 and November are not over
    days = indicators.trend(sorting.tiny.district, DAY1, DAY2)
    months = indicators.trend(sorting.tiny.district, OCT, DAY2, grain="month")
    # Then only the day and the month that reach today are partial
    assert [d.is_partial for d in days] == [False, True]
    assert [m.is_partial for m in months] == [False, True]
    assert indicators.summary(sorting.tiny.district, Period.of_day(DAY1)).is_partial is False
    assert indicators.as_dict(days[1])["is_partial"] is True
    # When the clock moves to the next day, day 2 is whole and its figures are the same
    with time_machine.travel(datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI), tick=False):
        later = indicators.trend(sorting.tiny.district, DAY1, DAY2)
    assert [d.is_partial for d in later] == [False, False]
    assert later[1].correct_sorting_rate == days[1].correct_sorting_rate == approx(3 / 4)
    assert later[0] == days[0]


def test_point_rates_for_the_map(sorting):
    rows = {r.code: r for r in indicators.point_rates(sorting.tiny.district, DAY1, DAY2)}
    assert {code: (r.disposals, r.judged, r.correct) for code, r in rows.items()} == {
        "P-A": (6, 5, 4),
        "P-B": (2, 2, 2),
        "P-C": (2, 2, 1),
    }
    assert rows["P-A"].rate == approx(0.8)
    assert rows["P-C"].rate == approx(0.5)
    assert (rows["P-A"].lon, rows["P-A"].lat) == (114.11, 22.55)
    only_c = indicators.point_rates(sorting.communities["C"], DAY1, DAY1)
    assert [(r.code, r.judged, r.rate) for r in only_c] == [("P-C", 0, None)]


def test_venue_coverage_per_category(sorting):
    rows = indicators.venue_coverage(sorting.tiny.district)
    assert [(r.code, r.venues, r.venues_sorting, r.rate) for r in rows] == [
        ("CAT1", 2, 2, 1.0),  # V1, V3 (V5 inactive)
        ("CAT2", 1, 0, 0.0),  # V2
    ]  # CAT3 is not supervised


def test_queries_do_not_grow_with_the_number_of_children_or_days(sorting):
    district = sorting.tiny.district
    with CaptureQueriesContext(connection) as month:
        indicators.summary(district, Period.of_month(DAY1))
    with CaptureQueriesContext(connection) as year:
        indicators.trend(district, date(2026, 1, 1), date(2026, 12, 31))
    with CaptureQueriesContext(connection) as ranked:
        indicators.ranking(district, Period.of_month(DAY1))
    assert len(year) == len(month) <= 10
    assert len(ranked) <= 10
    assert not any(
        "devices_record" in q["sql"] for q in month.captured_queries + year.captured_queries
    )


def test_other_units_are_refused(sorting):
    with pytest.raises(ValueError, match="district, a street or a community"):
        indicators.summary(sorting.tiny.shop, Period.of_day(DAY1))


def test_as_dict_is_json_ready(sorting):
    got = indicators.as_dict(indicators.summary(sorting.communities["A"], Period.of_day(DAY1)))
    assert got["start"] == "2026-11-24" and got["unit_kind"] == "community"
    assert got["treated_t"] is None and set(got["collected_t"]) == {
        "kitchen",
        "recyclable",
        "hazardous",
        "other",
    }
