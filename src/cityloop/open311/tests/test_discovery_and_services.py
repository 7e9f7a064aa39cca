"""Service Discovery, GET Service List and GET Service Definition, in XML and JSON."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityloop.categories.models import MinorCategory
from cityloop.open311.tests.conftest import BASE, category, children, errors_of, json_of, xml_of

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]


def test_discovery_in_xml_names_the_endpoint_and_both_formats(client):
    root = xml_of(client.get(f"{BASE}/discovery.xml"))

    assert root.tag == "discovery"
    assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert children(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert endpoint.findtext("type") == "production"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]


def test_discovery_in_json_is_the_same_document(client):
    body = json_of(client.get(f"{BASE}/discovery.json"))

    assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
    assert body["changeset"] == "2026-11-25 00:00"
    assert body["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2",
            "changeset": "2026-11-25 00:00",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]


def test_discovery_follows_the_settings(client, settings):
    settings.CITYLOOP_OPEN311_ENDPOINT_TYPE = "test"
    settings.CITYLOOP_OPEN311_CHANGESET = "2027-01-01 08:00"
    settings.CITYLOOP_OPEN311_CONTACT = "12319"

    body = json_of(client.get(f"{BASE}/discovery.json"))

    assert (body["contact"], body["changeset"]) == ("12319", "2027-01-01 08:00")
    assert body["endpoints"][0]["type"] == "test"


def test_the_service_list_in_xml_offers_every_active_minor_category(client):
    root = xml_of(client.get(f"{BASE}/services.xml"))

    assert root.tag == "services"
    assert len(root) == MinorCategory.objects.filter(is_active=True).count()
    assert {children(service) == SERVICE_FIELDS for service in root} == {True}
    garbage = next(s for s in root if s.findtext("service_code") == "event-01-10")
    assert garbage.findtext("service_name") == "暴露生活垃圾"
    assert garbage.findtext("group") == "市容环境"
    assert (garbage.findtext("metadata"), garbage.findtext("type")) == ("false", "realtime")
    assert garbage.findtext("description").startswith("立案条件：")


def test_the_service_list_in_json_types_codes_as_strings(client):
    services = json_of(client.get(f"{BASE}/services.json"))

    manhole = next(s for s in services if s["service_code"] == "component-01-01")
    assert manhole == {
        "service_code": "component-01-01",
        "service_name": "上水井盖",
        "description": "立案条件：缺失、移位、开裂，存在安全隐患的；破损超过25c㎡；"
        "弹跳产生声响，翻盖明显影响安全；"
        "井盖周边路面150cm×150cm范围内出现深陷、凸起或破损,井框与路面高低差大于2cm",
        "metadata": False,
        "type": "realtime",
        "keywords": "01-01,01001,供水井盖",
        "group": "公用设施",
    }
    assert {type(s["service_code"]) for s in services} == {str}


def test_a_deactivated_category_is_not_offered(client):
    MinorCategory.objects.filter(pk=category("01-10").pk).update(is_active=False)

    codes = [s["service_code"] for s in json_of(client.get(f"{BASE}/services.json"))]

    assert "event-01-10" not in codes
    assert "event-01-11" in codes


def test_the_service_list_costs_two_queries_whatever_its_length(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{BASE}/services.json")

    assert len(queries) == 2  # minors with majors, their filing conditions


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_service_definition_has_no_attributes(client, fmt):
    response = client.get(f"{BASE}/services/event-01-10.{fmt}")

    assert response.status_code == 200
    if fmt == "xml":
        root = xml_of(response)
        assert (root.tag, children(root)) == ("service_definition", ["service_code", "attributes"])
        assert (root.findtext("service_code"), len(root.find("attributes"))) == ("event-01-10", 0)
    else:
        assert json_of(response) == {"service_code": "event-01-10", "attributes": []}


def test_the_singular_service_path_of_the_open311_client_is_served_too(client):
    response = client.get(f"{BASE}/service/event-01-10.json")

    assert json_of(response) == {"service_code": "event-01-10", "attributes": []}


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("code", ["event-99-99", "01-10", "event-01-1x"])
def test_an_unknown_service_definition_is_a_404_error_list(client, fmt, code):
    response = client.get(f"{BASE}/services/{code}.{fmt}")

    assert response.status_code == 404
    assert errors_of(response, fmt) == [
        (
            "404",
            f"本接口没有 service_code 为 {code} 的服务 / "
            f"service_code {code} is not a service of this endpoint",
        )
    ]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_wrong_jurisdiction_is_a_404_error_list(client, fmt):
    response = client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "sfgov.org"})

    assert response.status_code == 404
    assert errors_of(response, fmt) == [
        (
            "404",
            "本接口不服务 jurisdiction_id sfgov.org；本接口服务 luohu.sz.gov.cn / "
            "jurisdiction_id sfgov.org is not served here; this endpoint serves luohu.sz.gov.cn",
        )
    ]


@pytest.mark.parametrize("given", ["luohu.sz.gov.cn", "", " "])
def test_our_jurisdiction_or_an_empty_one_is_accepted(client, given):
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": given})

    assert response.status_code == 200


def test_the_jurisdiction_is_a_setting(client, settings):
    settings.CITYLOOP_OPEN311_JURISDICTION = "szlh.gov.cn"

    ours = client.get(f"{BASE}/services.json", {"jurisdiction_id": "szlh.gov.cn"})
    default = client.get(f"{BASE}/services.json", {"jurisdiction_id": "luohu.sz.gov.cn"})

    assert (ours.status_code, default.status_code) == (200, 404)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posting_to_the_service_list_is_refused_with_an_error_list(client, fmt):
    response = client.post(f"{BASE}/services.{fmt}")

    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")
    assert errors_of(response, fmt) == [
        ("405", "此处不允许该请求方法 / This method is not allowed here")
    ]


def test_head_is_answered_like_get(client):
    response = client.head(f"{BASE}/services.json")

    assert (response.status_code, response["Content-Type"]) == (
        200,
        "application/json; charset=utf-8",
    )


def test_another_format_is_not_served(client):
    assert client.get(f"{BASE}/services.html").status_code == 404
