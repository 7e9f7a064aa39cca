"""GET Service Requests and GET Service Request: fields, status mapping, privacy, filters."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cityloop.events.choices import CaseState, Source
from cityloop.events.models import Case
from cityloop.open311.tests.conftest import (
    BASE,
    REQUEST_FIELDS,
    SHANGHAI,
    W3C,
    category,
    children,
    errors_of,
    given_state,
    json_of,
    xml_of,
)

pytestmark = pytest.mark.django_db


def ids_of(response) -> list[str]:
    return [r["service_request_id"] for r in json_of(response)]


# --- the document -------------------------------------------------------------------------
def test_a_request_in_json_has_every_field_typed_as_the_validator_expects(client, report, frozen):
    case = report(address="东门步行街 12 号")

    [request] = json_of(client.get(f"{BASE}/requests.json"))

    assert list(request) == REQUEST_FIELDS
    assert request == {
        "service_request_id": case.ticket,
        "status": "open",
        "status_notes": None,
        "service_name": "暴露生活垃圾",
        "service_code": "event-01-10",
        "description": "路边有暴露垃圾",
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": "2025-11-24T09:00:00+08:00",
        "updated_datetime": "2025-11-24T09:00:00+08:00",
        "expected_datetime": None,
        "address": "东门步行街 12 号",
        "address_id": None,
        "zipcode": None,
        "lat": 22.5595,
        "long": 114.1005,
        "media_url": None,
    }
    assert isinstance(request["service_request_id"], str)
    assert W3C.match(request["requested_datetime"])


def test_a_request_in_xml_has_every_element_in_the_specified_order(client, report, frozen):
    case = report()

    root = xml_of(client.get(f"{BASE}/requests.xml"))

    assert (root.tag, children(root)) == ("service_requests", ["request"])
    request = root.find("request")
    assert children(request) == REQUEST_FIELDS
    assert request.findtext("service_request_id") == case.ticket
    assert request.findtext("status") == "open"
    assert request.findtext("service_code") == "event-01-10"
    assert request.findtext("requested_datetime") == "2025-11-24T09:00:00+08:00"
    assert (request.findtext("lat"), request.findtext("long")) == ("22.5595", "114.1005")
    assert request.findtext("media_url") == ""


def test_an_open_request_expects_the_handling_deadline(client, report, frozen):
    deadline = datetime(2025, 11, 24, 11, 0, tzinfo=SHANGHAI)
    case = given_state(report(), CaseState.HANDLING, handle_deadline=deadline)

    [request] = json_of(client.get(f"{BASE}/requests/{case.ticket}.json"))

    assert request["expected_datetime"] == "2025-11-24T11:00:00+08:00"


def test_a_closed_request_was_updated_when_it_was_closed(client, report, frozen):
    closed = datetime(2025, 11, 24, 10, 30, tzinfo=SHANGHAI)
    case = given_state(report(), CaseState.EVALUATED, closed_at=closed, handle_deadline=closed)

    [request] = json_of(client.get(f"{BASE}/requests/{case.ticket}.json"))

    assert (request["status"], request["updated_datetime"]) == (
        "closed",
        "2025-11-24T10:30:00+08:00",
    )
    assert request["expected_datetime"] is None


def test_no_personal_data_is_published_in_either_format(client, report, frozen):
    report(reporter_name="张三", reporter_phone="13800138000")

    for fmt in ("xml", "json"):
        body = client.get(f"{BASE}/requests.{fmt}", {"extensions": "true"}).content.decode()
        assert "张三" not in body
        assert "13800138000" not in body


def test_a_case_without_category_has_an_empty_service_code(client, report, frozen):
    report(category=None)

    [request] = json_of(client.get(f"{BASE}/requests.json"))

    assert (request["service_code"], request["service_name"]) == ("", None)


def test_characters_xml_forbids_are_dropped_from_the_xml_only(client, report, frozen):
    report(description="井盖\x01缺失\x1b了")

    xml = xml_of(client.get(f"{BASE}/requests.xml"))
    [request] = json_of(client.get(f"{BASE}/requests.json"))

    assert xml.findtext("request/description") == "井盖缺失了"
    assert request["description"] == "井盖\x01缺失\x1b了"


# --- status -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("state", "status"),
    [
        (CaseState.REPORTED, "open"),
        (CaseState.ACCEPTED, "open"),
        (CaseState.CONFIRMING, "open"),
        (CaseState.FILED, "open"),
        (CaseState.DISPATCHED, "open"),
        (CaseState.HANDLING, "open"),
        (CaseState.FED_BACK, "open"),
        (CaseState.VERIFIED, "open"),
        (CaseState.SUSPENDED, "open"),
        (CaseState.CLOSED, "closed"),
        (CaseState.EVALUATED, "closed"),
        (CaseState.REJECTED, "closed"),
        (CaseState.CANCELLED, "closed"),
    ],
)
def test_our_states_map_to_open_or_closed(client, report, frozen, state, status):
    case = given_state(report(), state)

    [request] = json_of(client.get(f"{BASE}/requests/{case.ticket}.json"))

    assert request["status"] == status


@pytest.mark.parametrize(
    ("state", "note"),
    [
        (CaseState.SUSPENDED, "已挂账：待条件具备后再处置。 / "
         "Suspended: handling is deferred until the conditions allow it."),
        (CaseState.REJECTED, "不予受理：不属于本局职责范围或反映内容不清。 / "
         "Not accepted: the report is outside the bureau's remit or unclear."),
        (CaseState.CANCELLED, "已作废。 / Cancelled."),
        (CaseState.HANDLING, None),
    ],
)  # fmt: skip
def test_some_states_explain_themselves_in_status_notes(client, report, frozen, state, note):
    case = given_state(report(), state)

    [request] = json_of(client.get(f"{BASE}/requests/{case.ticket}.json"))

    assert request["status_notes"] == note


def test_a_merged_request_shows_the_status_of_the_case_it_was_merged_into(client, report, frozen):
    closed = datetime(2025, 11, 24, 10, 0, tzinfo=SHANGHAI)
    survivor = given_state(report(), CaseState.CLOSED, closed_at=closed)
    merged = given_state(report("同一处垃圾"), CaseState.MERGED, merged_into=survivor)

    [request] = json_of(client.get(f"{BASE}/requests/{merged.ticket}.json"))

    assert request["service_request_id"] == merged.ticket
    assert request["description"] == "同一处垃圾"
    assert (request["status"], request["updated_datetime"]) == (
        "closed",
        "2025-11-24T10:00:00+08:00",
    )
    assert request["status_notes"] == (
        f"已合并到反映同一问题的 {survivor.ticket}，显示其办理状态。 / "
        f"Merged into request {survivor.ticket}, which reports the same problem; "
        "its status is shown."
    )


def test_a_request_merged_twice_follows_to_the_last_survivor(client, report, frozen):
    last = given_state(report(), CaseState.HANDLING)
    middle = given_state(report(), CaseState.MERGED, merged_into=last)
    first = given_state(report(), CaseState.MERGED, merged_into=middle)

    [request] = json_of(client.get(f"{BASE}/requests/{first.ticket}.json", {"extensions": "1"}))

    assert request["status"] == "open"
    assert request["extended_attributes"]["merged_into"] == last.ticket


# --- the extension ------------------------------------------------------------------------
def test_extended_attributes_only_when_asked(client, report, frozen):
    report()

    [plain] = json_of(client.get(f"{BASE}/requests.json"))
    [extended] = json_of(client.get(f"{BASE}/requests.json", {"extensions": "true"}))

    assert "extended_attributes" not in plain
    assert extended["extended_attributes"] == {
        "cityloop_state": "reported",
        "merged_into": None,
        "channel": "citizen",
        "media_urls": [],
    }


def test_extended_attributes_in_xml_carry_the_finer_state(client, report, frozen):
    survivor = given_state(report(), CaseState.DISPATCHED)
    merged = given_state(report(), CaseState.MERGED, merged_into=survivor)

    root = xml_of(client.get(f"{BASE}/requests/{merged.ticket}.xml", {"extensions": "true"}))

    extended = root.find("request/extended_attributes")
    assert children(extended) == ["cityloop_state", "merged_into", "channel", "media_urls"]
    assert extended.findtext("cityloop_state") == "merged"
    assert extended.findtext("merged_into") == survivor.ticket
    assert root.findtext("request/status") == "open"


# --- one request --------------------------------------------------------------------------
def test_one_request_in_xml_is_a_one_element_list(client, report, frozen):
    case = report()

    root = xml_of(client.get(f"{BASE}/requests/{case.ticket}.xml"))

    assert children(root) == ["request"]
    assert root.findtext("request/service_request_id") == case.ticket


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_request_is_a_404_error_list(client, tiny, fmt):
    response = client.get(f"{BASE}/requests/LH20251124-999999.{fmt}")

    assert response.status_code == 404
    assert errors_of(response, fmt) == [
        (
            "404",
            "没有编号为 LH20251124-999999 的诉求 / No service request has the id LH20251124-999999",
        )
    ]


def test_an_id_with_a_nul_character_is_not_found(client, tiny):
    assert client.get(f"{BASE}/requests/LH%00.json").status_code == 404


@pytest.mark.parametrize("source", [Source.HOTLINE, Source.LEADER])
def test_hotline_orders_and_leaders_instructions_are_not_published(client, report, frozen, source):
    case = report(source=source)

    listed = json_of(client.get(f"{BASE}/requests.json"))
    alone = client.get(f"{BASE}/requests/{case.ticket}.json")

    assert (listed, alone.status_code) == ([], 404)


def test_the_published_sources_are_a_setting(client, report, frozen, settings):
    settings.CITYLOOP_OPEN311_PUBLIC_SOURCES = [Source.HOTLINE]
    hotline = report(source=Source.HOTLINE)
    report(source=Source.CITIZEN)

    assert ids_of(client.get(f"{BASE}/requests.json")) == [hotline.ticket]


# --- filters ------------------------------------------------------------------------------
def test_requests_are_listed_newest_first(client, report, frozen):
    older = report()
    frozen.shift(timedelta(hours=1))
    newer = report()

    assert ids_of(client.get(f"{BASE}/requests.json")) == [newer.ticket, older.ticket]


def test_status_filters_by_the_shown_status_with_merged_cases(client, report, frozen):
    open_case = given_state(report(), CaseState.HANDLING)
    closed_case = given_state(report(), CaseState.CLOSED)
    merged_open = given_state(report(), CaseState.MERGED, merged_into=open_case)
    merged_closed = given_state(report(), CaseState.MERGED, merged_into=closed_case)
    url = f"{BASE}/requests.json"

    assert set(ids_of(client.get(url, {"status": "open"}))) == {
        open_case.ticket,
        merged_open.ticket,
    }
    assert set(ids_of(client.get(url, {"status": "closed"}))) == {
        closed_case.ticket,
        merged_closed.ticket,
    }
    assert len(ids_of(client.get(url, {"status": "open,closed"}))) == 4


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_status_is_a_400_error_list(client, tiny, fmt):
    response = client.get(f"{BASE}/requests.{fmt}", {"status": "open,fixed"})

    assert response.status_code == 400
    assert errors_of(response, fmt) == [
        (
            "400",
            "status 只能是 open、closed，或二者以逗号分隔 / "
            "status must be open, closed, or both separated by a comma",
        )
    ]


def test_service_code_takes_a_comma_list(client, report, frozen):
    garbage = report(category=category("01-10"))
    dog = report(category=category("01-71"))
    report(category=category("01-01", kind="component"))

    response = client.get(f"{BASE}/requests.json", {"service_code": "event-01-10, event-01-71"})

    assert set(ids_of(response)) == {garbage.ticket, dog.ticket}


def test_an_unknown_service_code_filter_matches_nothing(client, report, frozen):
    report()

    assert ids_of(client.get(f"{BASE}/requests.json", {"service_code": "nonsense"})) == []


def test_service_request_id_overrides_every_other_argument(client, report, frozen):
    old = given_state(report(), CaseState.CLOSED)
    Case.objects.filter(pk=old.pk).update(reported_at=timezone.now() - timedelta(days=400))
    other = report()
    report()

    response = client.get(
        f"{BASE}/requests.json",
        {"service_request_id": f"{old.ticket},{other.ticket}", "status": "open", "page_size": "1"},
    )

    assert set(ids_of(response)) == {old.ticket, other.ticket}


def test_by_default_only_the_last_90_days_are_listed(client, report, frozen):
    old = report()
    frozen.shift(timedelta(days=91))
    recent = report()

    assert ids_of(client.get(f"{BASE}/requests.json")) == [recent.ticket]
    assert old.ticket not in ids_of(client.get(f"{BASE}/requests.json"))


def test_start_and_end_date_bound_the_requested_time(client, report, frozen):
    report()  # Monday 09:00
    frozen.shift(timedelta(days=1))
    tuesday = report()
    frozen.shift(timedelta(days=1))
    report()  # Wednesday

    response = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2025-11-25T00:00:00+08:00", "end_date": "2025-11-25T23:59:59+08:00"},
    )

    assert ids_of(response) == [tuesday.ticket]


@pytest.mark.parametrize(
    "start",
    ["2025-11-24T01:00:00Z", "2025-11-24T09:00:00 08:00", "2025-11-24T09:00:00", "2025-11-24"],
)
def test_dates_are_read_liberally(client, report, frozen, start):
    case = report()  # 2025-11-24 09:00 +08:00 = 01:00 UTC

    assert ids_of(client.get(f"{BASE}/requests.json", {"start_date": start})) == [case.ticket]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_malformed_date_is_a_400_error_list(client, tiny, fmt):
    response = client.get(f"{BASE}/requests.{fmt}", {"end_date": "yesterday"})

    assert response.status_code == 400
    assert errors_of(response, fmt) == [
        (
            "400",
            "end_date 不是 W3C 日期时间（例如 2026-11-24T09:30:00+08:00） / "
            "end_date is not a W3C datetime such as 2026-11-24T09:30:00+08:00",
        )
    ]


def test_more_than_90_days_is_refused(client, tiny):
    response = client.get(
        f"{BASE}/requests.json", {"start_date": "2025-01-01", "end_date": "2025-06-01"}
    )

    assert response.status_code == 400
    assert errors_of(response, "json") == [
        ("400", "start_date 与 end_date 最多相隔 90 天 / "
         "start_date and end_date may be 90 days apart at most")
    ]  # fmt: skip


def test_a_start_after_the_end_is_refused(client, tiny):
    response = client.get(
        f"{BASE}/requests.json", {"start_date": "2025-06-02", "end_date": "2025-06-01"}
    )

    assert errors_of(response, "json") == [
        ("400", "start_date 不能晚于 end_date / start_date must not be after end_date")
    ]


def test_updated_after_and_before_select_by_the_last_change(client, report, frozen):
    quiet = report()
    changed = report()
    frozen.shift(timedelta(days=100))
    Case.objects.get(pk=changed.pk).save()  # touches updated_at a hundred days later
    url = f"{BASE}/requests.json"

    after = client.get(url, {"updated_after": "2026-01-01T00:00:00+08:00"})
    before = client.get(url, {"updated_before": "2026-01-01T00:00:00+08:00"})

    assert ids_of(after) == [changed.ticket]  # older than 90 days: no default window
    assert ids_of(before) == [quiet.ticket]


def test_updated_after_sees_a_merged_request_whose_survivor_changed(client, report, frozen):
    survivor = report()
    merged = given_state(report(), CaseState.MERGED, merged_into=survivor)
    frozen.shift(timedelta(days=1))
    Case.objects.get(pk=survivor.pk).save()

    response = client.get(f"{BASE}/requests.json", {"updated_after": "2025-11-25"})

    assert set(ids_of(response)) == {survivor.ticket, merged.ticket}


def test_pages_with_their_headers(client, report, frozen):
    tickets = []
    for _ in range(5):
        tickets.insert(0, report().ticket)
        frozen.shift(timedelta(minutes=1))

    response = client.get(f"{BASE}/requests.json", {"page": "2", "page_size": "2"})

    assert ids_of(response) == tickets[2:4]
    assert (response["X-Result-Count"], response["X-Page-Count"], response["X-Page-Size"]) == (
        "5",
        "3",
        "2",
    )
    assert ids_of(client.get(f"{BASE}/requests.json", {"page": "3", "per_page": "2"})) == [
        tickets[4]
    ]
    assert ids_of(client.get(f"{BASE}/requests.json", {"page": "4", "page_size": "2"})) == []


def test_page_size_is_capped_at_1000(client, report, frozen):
    report()

    response = client.get(f"{BASE}/requests.json", {"page_size": "5000"})

    assert response["X-Page-Size"] == "1000"


@pytest.mark.parametrize(("name", "value"), [("page", "0"), ("page", "x"), ("page_size", "-1")])
def test_a_bad_page_is_a_400_error_list(client, tiny, name, value):
    response = client.get(f"{BASE}/requests.xml", {name: value})

    assert response.status_code == 400
    assert errors_of(response, "xml") == [
        ("400", f"{name} 必须是从 1 起的整数 / {name} must be a whole number from 1")
    ]


def test_the_list_costs_the_same_queries_whatever_its_length(client, report, frozen):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(f"{BASE}/requests.json", {"extensions": "true"})
        return len(queries)

    report()
    one = queries_for_list()
    survivor = report()
    for _ in range(4):
        given_state(report(), CaseState.MERGED, merged_into=survivor)

    assert queries_for_list() == one == 3  # count, cases with category and survivor, photos
