"""POST Service Request: the key, liberal input, photos, refusals that change nothing."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import ExifTags, Image

from cityloop.events.models import Attachment, Case
from cityloop.geo import coordinates
from cityloop.open311.models import ApiKey, Submission
from cityloop.open311.services import api_key_update
from cityloop.open311.tests.conftest import (
    BASE,
    POINT,
    W3C,
    children,
    errors_of,
    jpeg_with_gps,
    json_of,
    xml_of,
)

pytestmark = pytest.mark.django_db


def fields(**overrides) -> dict:
    """A complete urlencoded POST as the specification's example sends it, minus the key."""
    data = {
        "jurisdiction_id": "luohu.sz.gov.cn",
        "service_code": "event-01-10",
        "lat": str(POINT[1]),
        "long": str(POINT[0]),
        "address_string": "东门步行街 12 号",
        "email": "zhangsan@example.cn",
        "device_id": "tt222111",
        "account_id": "123456",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800138000",
        "description": "路边有一堆暴露垃圾",
        "media_url": "https://example.cn/photo.jpg",
        "attribute[WHISPAWN]": "123456",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def nothing_was_created() -> bool:
    return (Case.objects.count(), Submission.objects.count(), Attachment.objects.count()) == (
        0,
        0,
        0,
    )


# --- success ------------------------------------------------------------------------------
def test_a_urlencoded_post_creates_a_case_and_answers_its_id_in_xml(client, tiny, api_key, frozen):
    response = client.post(f"{BASE}/requests.xml", fields(api_key=api_key[1]))

    case = Case.objects.get()
    root = xml_of(response)
    assert response.status_code == 200
    assert (root.tag, children(root)) == ("service_requests", ["request"])
    request = root.find("request")
    assert children(request) == ["service_request_id", "service_notice", "account_id"]
    assert request.findtext("service_request_id") == case.ticket
    assert request.findtext("service_notice") == (
        f"已登记，编号 {case.ticket}。核实后将派往责任单位处置。 / "
        f"Registered as request {case.ticket}. It will be checked and sent to the unit in charge."
    )
    assert request.findtext("account_id") == "123456"


def test_the_case_is_an_open311_report_with_the_reporter_kept_from_the_public(
    client, tiny, api_key, frozen
):
    key, raw = api_key

    client.post(f"{BASE}/requests.json", fields(api_key=raw))

    case = Case.objects.get()
    assert (case.source, case.state, case.category.code_path) == ("open311", "reported", "01-10")
    assert (case.lon, case.lat, case.grid.code) == (114.1005, 22.5595, "440303001001001")
    assert (case.address, case.description) == ("东门步行街 12 号", "路边有一堆暴露垃圾")
    assert (case.reporter_name, case.reporter_phone) == ("张三", "13800138000")
    submission = case.open311_submission
    assert (submission.api_key, submission.account_id, submission.device_id) == (
        key,
        "123456",
        "tt222111",
    )
    assert submission.media_url == "https://example.cn/photo.jpg"
    assert len(submission.token) == 22
    key.refresh_from_db()
    assert key.last_used_at == case.reported_at


def test_the_email_address_is_not_kept(client, tiny, api_key, frozen):
    client.post(f"{BASE}/requests.json", fields(api_key=api_key[1]))

    case = Case.objects.get()
    stored = [str(v) for v in Case.objects.values().get().values()]
    stored += [str(v) for v in Submission.objects.values().get().values()]
    assert "zhangsan@example.cn" not in " ".join(stored)
    assert case.events.get().data == {"source": "open311", "external_id": None}


def test_the_answer_in_json_is_a_list_with_the_id_as_a_string(client, tiny, api_key, frozen):
    response = client.post(f"{BASE}/requests.json", fields(api_key=api_key[1], account_id=None))

    case = Case.objects.get()
    [answer] = json_of(response)
    assert list(answer) == ["service_request_id", "service_notice", "account_id"]
    assert (answer["service_request_id"], answer["account_id"]) == (case.ticket, None)


def test_the_api_key_may_come_in_the_query_string(client, tiny, api_key, frozen):
    data = fields(jurisdiction_id=None)
    url = f"{BASE}/requests.json?api_key={api_key[1]}&jurisdiction_id=luohu.sz.gov.cn"

    response = client.post(url, data)

    assert response.status_code == 200
    assert Case.objects.count() == 1


def test_an_app_on_a_chinese_map_may_say_its_coordinates_are_gcj02(client, tiny, api_key):
    lon, lat = coordinates.wgs84_to_gcj02(*POINT)
    data = fields(api_key=api_key[1], long=repr(float(lon)), lat=repr(float(lat)), crs="GCJ02")

    response = client.post(f"{BASE}/requests.json", data)

    case = Case.objects.get()
    assert response.status_code == 200
    assert (round(case.lon, 7), round(case.lat, 7)) == POINT  # stored, and shown, in WGS-84


def test_an_address_alone_is_a_place(client, tiny, api_key, frozen):
    data = fields(api_key=api_key[1], lat=None, long=None, address_id="#NOTPINPOINTED#")

    response = client.post(f"{BASE}/requests.json", data)

    case = Case.objects.get()
    assert response.status_code == 200
    assert (case.lon, case.address) == (None, "东门步行街 12 号")


@pytest.mark.parametrize(
    ("first", "last", "name"),
    [("三", "张", "张三"), ("John", "Smith", "John Smith"), ("", "王", "王"), (None, None, "")],
)
def test_the_reporter_name_follows_the_order_of_the_names_language(
    client, tiny, api_key, first, last, name
):
    client.post(
        f"{BASE}/requests.json", fields(api_key=api_key[1], first_name=first, last_name=last)
    )

    assert Case.objects.get().reporter_name == name


def test_nul_characters_are_dropped_before_they_reach_the_database(client, tiny, api_key):
    data = fields(api_key=api_key[1], description="井盖\x00缺失", address_string="东门\x00路")

    response = client.post(f"{BASE}/requests.json", data)

    case = Case.objects.get()
    assert response.status_code == 200
    assert (case.description, case.address) == ("井盖缺失", "东门路")


def test_posting_needs_no_csrf_token(tiny, api_key, frozen):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(f"{BASE}/requests.json", fields(api_key=api_key[1]))

    assert response.status_code == 200


# --- photos -------------------------------------------------------------------------------
def test_a_multipart_post_with_a_photo_publishes_only_the_copy_without_exif(
    client, tiny, api_key, frozen
):
    data = fields(api_key=api_key[1], media=jpeg_with_gps())

    response = client.post(f"{BASE}/requests.json", data)

    [answer] = json_of(response)
    attachment = Attachment.objects.get()
    assert (attachment.case.ticket, attachment.stage) == (answer["service_request_id"], "report")
    original = Image.open(attachment.file.open("rb"))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo) != {}  # kept for staff
    public = Image.open(io.BytesIO(attachment.public_file.open("rb").read()))
    assert dict(public.getexif()) == {}
    assert "exif" not in public.info
    [request] = json_of(client.get(f"{BASE}/requests/{answer['service_request_id']}.json"))
    assert request["media_url"] == (
        f"http://testserver/api/public/reports/{attachment.case.ticket}/photos/{attachment.pk}"
    )
    served = client.get(request["media_url"].removeprefix("http://testserver"))
    assert dict(Image.open(io.BytesIO(b"".join(served.streaming_content))).getexif()) == {}


def test_several_photos_under_media_brackets_are_all_listed(client, tiny, api_key, frozen):
    photos = [jpeg_with_gps("a.jpg"), jpeg_with_gps("b.jpg")]

    client.post(f"{BASE}/requests.json", fields(api_key=api_key[1], **{"media[]": photos}))

    ticket = Case.objects.get().ticket
    [request] = json_of(client.get(f"{BASE}/requests/{ticket}.json", {"extensions": "true"}))
    urls = request["extended_attributes"]["media_urls"]
    assert len(urls) == 2
    assert request["media_url"] == urls[0]
    assert {url.startswith("http://testserver/api/public/reports/") for url in urls} == {True}


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_created(
    client, tiny, api_key, frozen
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")

    response = client.post(f"{BASE}/requests.json", fields(api_key=api_key[1], media=text))

    assert response.status_code == 400
    [(code, description)] = errors_of(response, "json")
    assert code == "400"
    assert description.startswith("media：")
    assert "notes.txt is not a JPEG, PNG or WebP photo, nor a PDF." in description
    assert nothing_was_created()


# --- refusals -----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize(
    ("key", "description"),
    [
        (None, "提交诉求须提供 api_key / api_key is required to submit a service request"),
        ("", "提交诉求须提供 api_key / api_key is required to submit a service request"),
        ("not-a-key", "api_key 无效或已停用 / api_key is not valid, or it has been disabled"),
    ],
)
def test_a_missing_or_wrong_key_is_a_403_error_list(client, tiny, fmt, key, description):
    response = client.post(f"{BASE}/requests.{fmt}", fields(api_key=key))

    assert response.status_code == 403
    assert errors_of(response, fmt) == [("403", description)]
    assert nothing_was_created()


def test_a_disabled_key_is_refused(client, tiny, api_key):
    key, raw = api_key
    api_key_update(api_key=key, name=key.name, is_active=False)

    response = client.post(f"{BASE}/requests.json", fields(api_key=raw))

    assert response.status_code == 403
    assert nothing_was_created()


def test_a_key_is_stored_only_as_its_hash(api_key):
    raw = api_key[1]

    stored = ApiKey.objects.values().get()

    assert raw not in [str(value) for value in stored.values()]
    assert (stored["prefix"], len(stored["key_hash"])) == (raw[:8], 64)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"description": None}, ["缺少 description / description is required"]),
        ({"description": "  "}, ["缺少 description / description is required"]),
        ({"long": None}, ["lat 与 long 必须同时提供 / lat and long must be sent together"]),
        ({"lat": "北纬22度"}, [
            "lat 必须是 -90 到 90 之间的数字 / lat must be a number from -90 to 90"
        ]),
        ({"lat": "nan", "long": "1e308"}, [
            "lat 必须是 -90 到 90 之间的数字 / lat must be a number from -90 to 90",
            "long 必须是 -180 到 180 之间的数字 / long must be a number from -180 to 180",
        ]),
        ({"lat": None, "long": None, "address_string": None}, [
            "缺少位置：请提供 lat 和 long，或 address_string / "
            "The place is required: lat and long, or address_string"
        ]),
        ({"lat": None, "long": None, "address_string": None, "address_id": "A-1"}, [
            "本接口不支持 address_id：请提供 lat 和 long，或 address_string / "
            "address_id is not supported here: send lat and long, or address_string"
        ]),
        ({"description": None, "long": None}, [
            "缺少 description / description is required",
            "lat 与 long 必须同时提供 / lat and long must be sent together",
        ]),
        ({"description": "长" * 2001}, [
            "description 过长：最多 2,000 个字符 / "
            "description is too long: 2,000 characters at most"
        ]),
        ({"lat": "22.6", "long": "114.2"}, [
            "long：点 (114.200000, 22.600000) 位于辖区之外。 / "
            "long: The point (114.200000, 22.600000) is outside the district."
        ]),
        ({"service_code": None}, ["缺少 service_code / service_code is required"]),
        ({"crs": "cgcs2000"}, [
            "crs 只能是 wgs84、gcj02 或 bd09 / crs must be wgs84, gcj02 or bd09"
        ]),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_error_list_and_creates_nothing(
    client, tiny, api_key, overrides, errors
):
    response = client.post(f"{BASE}/requests.xml", fields(api_key=api_key[1], **overrides))

    assert response.status_code == 400
    assert errors_of(response, "xml") == [("400", error) for error in errors]
    assert nothing_was_created()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_service_code_is_a_404_error_list(client, tiny, api_key, fmt):
    response = client.post(
        f"{BASE}/requests.{fmt}", fields(api_key=api_key[1], service_code="event-99-01")
    )

    assert response.status_code == 404
    assert errors_of(response, fmt) == [
        (
            "404",
            "本接口没有 service_code 为 event-99-01 的服务 / "
            "service_code event-99-01 is not a service of this endpoint",
        )
    ]
    assert nothing_was_created()


def test_a_wrong_jurisdiction_in_the_body_is_a_404(client, tiny, api_key):
    response = client.post(
        f"{BASE}/requests.json", fields(api_key=api_key[1], jurisdiction_id="city.gov")
    )

    assert response.status_code == 404
    assert nothing_was_created()


# --- round trip ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_what_was_posted_is_what_get_shows(client, tiny, api_key, frozen, fmt):
    posted = client.post(f"{BASE}/requests.{fmt}", fields(api_key=api_key[1]))
    ticket = (
        xml_of(posted).findtext("request/service_request_id")
        if fmt == "xml"
        else json_of(posted)[0]["service_request_id"]
    )

    [request] = json_of(client.get(f"{BASE}/requests/{ticket}.json"))
    listed = json_of(client.get(f"{BASE}/requests.json", {"status": "open"}))

    assert listed == [request]
    assert (request["service_request_id"], request["status"]) == (ticket, "open")
    assert (request["service_code"], request["description"]) == (
        "event-01-10",
        "路边有一堆暴露垃圾",
    )
    assert (request["lat"], request["long"]) == (22.5595, 114.1005)
    assert request["address"] == "东门步行街 12 号"
    assert W3C.match(request["requested_datetime"])
    assert request["requested_datetime"] == "2025-11-24T09:00:00+08:00"
