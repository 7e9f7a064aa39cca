"""Citizens without an account: report with a photo, follow by ticket, rate when closed."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cityloop.events.models import Case
from cityloop.events.tests.conftest import SHOP_POINT, category, condition

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (22.0, 33.0, 34.2), 3: "E", 4: (114.0, 6.0, 1.8)}  # GPSInfo
    exif[0x0110] = "PhoneModel X"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_citizen_reports_follows_and_rates(loop, client, login, monday_morning):
    response = client.post(
        "/api/public/reports",
        json.dumps(
            {
                "description": "井盖缺失",
                "lon": SHOP_POINT[0],
                "lat": SHOP_POINT[1],
                "category": category("01", "10").pk,
                "reporter_name": "李四",
                "reporter_phone": "13912345678",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    ticket, key = response.json()["ticket"], response.json()["key"]
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert (
        client.post(
            f"/api/public/reports/{ticket}/photos?key={key}", {"files": [photo]}
        ).status_code
        == 201
    )

    followed = client.get(f"/api/public/reports/{ticket}").json()
    assert followed["state"] == "reported" and "李四" not in json.dumps(
        followed, ensure_ascii=False
    )
    public = client.get(f"/api/public/reports/{ticket}/photos/{followed['photos'][0]['id']}")
    image = Image.open(io.BytesIO(b"".join(public.streaming_content)))
    assert not image.getexif()  # no GPS, no camera model for the public

    case = Case.objects.get(ticket=ticket)
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.inspector, case, "confirm")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition("01", "10").pk)
    loop.act(loop.dispatcher, case, "dispatch")
    loop.act(loop.shop_handler, case, "sign")
    loop.act(loop.shop_handler, case, "feed_back", comment="已处理")
    loop.act(loop.inspector, case, "verify")
    wrong = client.post(
        f"/api/public/reports/{ticket}/rating",
        json.dumps({"key": "nope", "satisfaction": 5}),
        content_type="application/json",
    )
    assert wrong.status_code == 403
    early = client.post(
        f"/api/public/reports/{ticket}/rating",
        json.dumps({"key": key, "satisfaction": 5}),
        content_type="application/json",
    )
    assert early.status_code == 409  # not closed yet
    loop.act(loop.shift_leader, case, "close")
    rated = client.post(
        f"/api/public/reports/{ticket}/rating",
        json.dumps({"key": key, "satisfaction": 4, "comment": "挺快"}),
        content_type="application/json",
    )
    assert rated.status_code == 200 and rated.json()["state"] == "evaluated"
    case.refresh_from_db()
    assert (case.satisfaction, case.evaluation_comment) == (4, "挺快")
    staff_view = login(loop.community_handler).get(f"/api/cases/{ticket}").json()
    assert staff_view["reporter"] == {"name": "李*", "phone": "139****5678"}
    assert (
        login(loop.acceptor).get(f"/api/cases/{ticket}").json()["reporter"]["phone"]
        == "13912345678"
    )


def test_a_citizen_report_outside_the_district_is_refused(loop, client):
    response = client.post(
        "/api/public/reports",
        json.dumps({"description": "x", "lon": 113.5, "lat": 22.2}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "lon"
    assert not Case.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused(loop, client, monday_morning):
    ticket, key = _report(client)
    bogus = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client.post(f"/api/public/reports/{ticket}/photos?key={key}", {"files": [bogus]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["code"] == "file_type"
    assert not Case.objects.get(ticket=ticket).attachments.exists()


def _report(client):
    body = client.post(
        "/api/public/reports",
        json.dumps({"description": "垃圾", "lon": SHOP_POINT[0], "lat": SHOP_POINT[1]}),
        content_type="application/json",
    ).json()
    return body["ticket"], body["key"]


def test_a_unit_feeds_back_with_photos_in_one_request(loop, login, monday_morning):
    case = loop.report()
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition("01", "10").pk)
    loop.act(loop.dispatcher, case, "dispatch")
    loop.act(loop.shop_handler, case, "sign")
    case.refresh_from_db()
    photo = SimpleUploadedFile("after.jpg", jpeg_with_gps(), content_type="image/jpeg")
    client = login(loop.shop_handler)
    url = f"/api/cases/{case.ticket}/feed_back/with-photos"
    response = client.post(url, {"version": case.version, "comment": "已清理", "files": [photo]})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "fed_back"
    event = case.events.get(action="feed_back")
    assert [a.stage for a in event.attachments.all()] == ["feedback"]
    bogus = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    loop.act(loop.inspector, case, "rework", comment="没清理干净")
    case.refresh_from_db()
    refused = client.post(url, {"version": case.version, "comment": "再次清理", "files": [bogus]})
    assert refused.status_code == 422
    case.refresh_from_db()
    assert case.state == "handling"  # the refused photo took the whole action with it


def _public_report(client) -> dict:
    body = {"description": "垃圾", "lon": SHOP_POINT[0], "lat": SHOP_POINT[1]}
    body["category"] = category("01", "10").pk
    response = client.post("/api/public/reports", json.dumps(body), content_type="application/json")
    return response.json()


def _close_survivor(loop, case) -> None:
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.inspector, case, "confirm")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition("01", "10").pk)
    loop.act(loop.dispatcher, case, "dispatch")
    loop.act(loop.shop_handler, case, "sign")
    loop.act(loop.shop_handler, case, "feed_back", comment="已处理")
    loop.act(loop.inspector, case, "verify")
    loop.act(loop.shift_leader, case, "close")


def test_a_merged_report_is_refused_by_the_api_and_changes_nothing(loop, client, monday_morning):
    first, second = _public_report(client), _public_report(client)
    loop.act(
        loop.acceptor, Case.objects.get(ticket=second["ticket"]), "merge", into=first["ticket"]
    )
    survivor = Case.objects.get(ticket=first["ticket"])
    _close_survivor(loop, survivor)
    survivor.refresh_from_db()
    before = (survivor.state, survivor.satisfaction, survivor.version)

    followed = client.get(f"/api/public/reports/{second['ticket']}").json()
    response = client.post(
        f"/api/public/reports/{second['ticket']}/rating",
        json.dumps({"key": second["key"], "satisfaction": 1}),
        content_type="application/json",
    )

    assert (followed["merged"], followed["state"], followed["can_rate"]) == (True, "closed", False)
    assert response.status_code == 409
    assert response.json()["detail"] == [
        {
            "field": "ticket",
            "code": "merged",
            "zh": "您的上报已合并到另一宗案卷，由该案卷的上报人评价。",
            "en": "Your report was merged into another case; that case's reporter rates it.",
        }
    ]
    survivor.refresh_from_db()
    assert (survivor.state, survivor.satisfaction, survivor.version) == before
    assert not survivor.events.filter(action="evaluate").exists()
