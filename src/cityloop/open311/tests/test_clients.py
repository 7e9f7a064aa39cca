"""Third-party clients: the requests each one issues, as docs/open311.md lists them
(from the reference's reading of their code), answered the way each one parses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cityloop.events.models import Attachment, Case
from cityloop.open311.models import Submission
from cityloop.open311.tests.conftest import (
    BASE,
    W3C,
    jpeg_with_gps,
    json_of,
    xml_of,
)

pytestmark = pytest.mark.django_db
JURISDICTION = "luohu.sz.gov.cn"


def forced_array(root, tag: str) -> list:
    """What FixMyStreet's XML::Simple (ForceArray) and xmltodict callers read: the items."""
    return root.findall(tag)


def test_fixmystreet_lists_services_reads_a_definition_posts_and_follows(
    client, tiny, api_key, frozen
):
    # GET services.xml and services/{code}.xml, jurisdiction_id on every call.
    services = xml_of(client.get(f"{BASE}/services.xml", {"jurisdiction_id": JURISDICTION}))
    codes = [s.findtext("service_code") for s in forced_array(services, "service")]
    assert "event-01-10" in codes
    definition = xml_of(
        client.get(f"{BASE}/services/event-01-10.xml", {"jurisdiction_id": JURISDICTION})
    )
    assert forced_array(definition.find("attributes"), "attribute") == []

    # POST requests.xml, urlencoded: truncated coordinates, its structured description, a
    # name split by its own rule ("张三" → first_name only), attributes, a media_url.
    posted = client.post(
        f"{BASE}/requests.xml",
        {
            "jurisdiction_id": JURISDICTION,
            "api_key": api_key[1],
            "service_code": "event-01-10",
            "description": "title: 垃圾堆\n\ndetail: 路口有垃圾\n\nurl: https://fms.example/report/1\n",
            "first_name": "张三",
            "last_name": "",
            "email": "noreply@fms.example",
            "lat": "22.559500",
            "long": "114.100500",
            "media_url": "https://fms.example/photo/1.full.jpeg",
            "attribute[closest_address]": "东门路",
        },
    )
    [request] = forced_array(xml_of(posted), "request")
    request_id = request.findtext("service_request_id")
    case = Case.objects.get()
    assert (request_id, case.reporter_name) == (case.ticket, "张三")
    assert case.description.startswith("title: 垃圾堆\n\ndetail: 路口有垃圾")

    # GET requests.xml?service_request_id=…&start_date&end_date (its status sync).
    frozen.shift(timedelta(hours=1))
    synced = xml_of(
        client.get(
            f"{BASE}/requests.xml",
            {
                "jurisdiction_id": JURISDICTION,
                "service_request_id": request_id,
                "start_date": "2025-11-24T00:00:00+08:00",
                "end_date": "2025-11-24T23:59:59+08:00",
            },
        )
    )
    [found] = forced_array(synced, "request")
    assert (found.findtext("service_request_id"), found.findtext("status")) == (request_id, "open")


def test_fixmystreet_reads_our_errors(client, tiny, api_key):
    response = client.post(
        f"{BASE}/requests.xml",
        {"jurisdiction_id": JURISDICTION, "api_key": api_key[1], "service_code": "event-01-10"},
    )

    errors = forced_array(xml_of(response), "error")
    assert [(e.findtext("code"), bool(e.findtext("description"))) for e in errors] == [
        ("400", True),
        ("400", True),
    ]


def test_the_open311_python_client_posts_its_key_in_the_query_string(client, tiny, api_key, frozen):
    # service_list(): always services.xml; service_definition(): service/{code} (singular).
    assert xml_of(client.get(f"{BASE}/services.xml")).tag == "services"
    definition = xml_of(client.get(f"{BASE}/service/event-01-10.xml"))
    assert definition.findtext("service_code") == "event-01-10"

    # post_service_request(): jurisdiction_id and api_key in the query, the rest form-encoded.
    posted = client.post(
        f"{BASE}/requests.xml?jurisdiction_id={JURISDICTION}&api_key={api_key[1]}",
        {
            "service_code": "event-01-10",
            "lat": "22.5595",
            "long": "114.1005",
            "description": "垃圾",
        },
    )
    request_id = xml_of(posted).findtext("request/service_request_id")

    # request_id_from_token(): tokens/{token}.xml; get_service_request(): requests/{id}.xml.
    token = Submission.objects.get().token
    resolved = xml_of(client.get(f"{BASE}/tokens/{token}.xml"))
    assert resolved.findtext("request/service_request_id") == request_id
    detail = xml_of(client.get(f"{BASE}/requests/{request_id}.xml"))
    assert detail.findtext("request/status") == "open"


def test_three_counts_with_page_size_and_posts_multipart_with_a_photo(
    client, tiny, api_key, frozen
):
    # The discovery URL, then JSON by default.
    assert json_of(client.get(f"{BASE}/discovery.json"))["endpoints"][0]["url"].endswith("/v2")

    # post(): form fields with api_key and jurisdiction_id, address → address_string,
    # name → first_name/last_name, and an optional multipart file field "media".
    posted = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key[1],
            "jurisdiction_id": JURISDICTION,
            "service_code": "component-01-01",
            "address_string": "罗湖区东门路 1 号",
            "lat": "22.5595",
            "long": "114.1005",
            "first_name": "Li",
            "last_name": "Lei",
            "description": "井盖缺失",
            "media": jpeg_with_gps(),
        },
    )
    [answer] = json_of(posted)
    assert Attachment.objects.get().case.ticket == answer["service_request_id"]

    # requests(count=…, start=…, end=…) → page_size, start_date, end_date.
    listed = client.get(
        f"{BASE}/requests.json",
        {"page_size": "10", "start_date": "2025-11-01", "end_date": "2025-11-30"},
    )
    [request] = json_of(listed)
    assert request["service_request_id"] == answer["service_request_id"]
    assert request["media_url"].startswith("http://testserver/api/public/reports/")


def test_georeport_reads_json_and_xml_by_the_paths_it_expects(client, tiny, report, frozen):
    case = report()
    params = {
        "jurisdiction_id": JURISDICTION,
        "service_code": "event-01-10",
        "status": "open",
        "start_date": "2025-11-24T00:00:00Z",
        "end_date": "2025-11-25T00:00:00Z",
    }

    # JSON: services, services/{code}, requests with filters, requests/{id} taking [0].
    assert json_of(client.get(f"{BASE}/services.json"))[0]["service_code"] == "component-01-01"
    assert json_of(client.get(f"{BASE}/services/event-01-10.json"))["attributes"] == []
    assert [
        r["service_request_id"] for r in json_of(client.get(f"{BASE}/requests.json", params))
    ] == [case.ticket]
    one = json_of(client.get(f"{BASE}/requests/{case.ticket}.json"))[0]
    assert (one["service_request_id"], W3C.match(one["updated_datetime"]) is not None) == (
        case.ticket,
        True,
    )

    # XML, read as xmltodict's services/service, service_definition, service_requests/request.
    assert xml_of(client.get(f"{BASE}/services.xml")).find("service") is not None
    assert xml_of(client.get(f"{BASE}/services/event-01-10.xml")).tag == "service_definition"
    requests = xml_of(client.get(f"{BASE}/requests.xml", params))
    assert (requests.tag, requests.findtext("request/service_request_id")) == (
        "service_requests",
        case.ticket,
    )


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_open311_validator_checks_discovery_services_and_create(client, tiny, api_key, fmt):
    # discovery and at least one service, each with a service_code.
    assert client.get(f"{BASE}/discovery.{fmt}").status_code == 200
    services = client.get(f"{BASE}/services.{fmt}")
    if fmt == "xml":
        codes = [s.findtext("service_code") for s in xml_of(services)]
    else:
        codes = [s["service_code"] for s in json_of(services)]
    assert len(codes) > 0
    assert all(codes)
    assert client.get(f"{BASE}/services/{codes[0]}.{fmt}").status_code == 200

    # create: POST with email and description.
    created = client.post(
        f"{BASE}/requests.{fmt}",
        {
            "api_key": api_key[1],
            "service_code": codes[0],
            "email": "validator@example.org",
            "description": "validator test",
            "lat": "22.5595",
            "long": "114.1005",
        },
    )
    assert created.status_code == 200
    assert Case.objects.get().description == "validator test"
