"""The citizens' pages through the Django test client: report, ticket, follow, rate."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityloop.events.models import Attachment, Case
from cityloop.events.tests.conftest import SHOP_POINT, category, condition
from cityloop.web.tests.conftest import jpeg

pytestmark = pytest.mark.django_db


def _report(client, **overrides):
    body = {
        "description": "公园北门垃圾桶满溢",
        "lon": SHOP_POINT[0],
        "lat": SHOP_POINT[1],
        "category": category("01", "10").pk,
        "address": "东门步行街",
        "reporter_phone": "13912345678",
        "photos": [SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")],
    }
    body.update(overrides)
    return client.post("/report/", {k: v for k, v in body.items() if v is not None})


def _close(loop, case):
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.inspector, case, "confirm")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition("01", "10").pk)
    loop.act(loop.dispatcher, case, "dispatch")
    loop.act(loop.shop_handler, case, "sign")
    loop.act(loop.shop_handler, case, "feed_back", comment="已清理")
    loop.act(loop.inspector, case, "verify")
    loop.act(loop.shift_leader, case, "close")


def test_the_report_page_lists_active_categories_grouped(tiny, client):
    response = client.get("/report/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<optgroup" in html and 'capture="environment"' in html and 'accept="image/*"' in html
    assert 'id="map-config"' in html and "<script>" not in html.replace(" ", "")


def test_a_report_with_a_photo_makes_a_citizen_case_and_shows_ticket_and_key(tiny, client):
    response = _report(client)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/report/done/{case.ticket}/"
    assert (case.source, case.state, case.reporter_phone) == ("citizen", "reported", "13912345678")
    assert case.street.code == "440303001" and case.category == category("01", "10")
    assert Attachment.objects.filter(case=case).count() == 1
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert case.ticket in done.content.decode() and case.reporter_key in done.content.decode()


def test_the_done_page_shows_the_key_only_to_the_browser_that_reported(tiny, client):
    _report(client)
    ticket = Case.objects.get().ticket
    client.cookies.clear()
    assert client.get(f"/report/done/{ticket}/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": ""}, "description", "This field is required"),
        ({"lon": None, "lat": None, "address": ""}, "lon", "Give the place"),
        ({"lon": 113.5, "lat": 22.2}, "lon", "outside"),
        ({"category": 999999}, "category", "Select a valid choice"),
        (
            {"photos": [SimpleUploadedFile("x.jpg", b"not a photo", content_type="image/jpeg")]},
            "photos",
            "not a JPEG",
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_changes_nothing(
    tiny, client, settings, overrides, field, message
):
    settings.LANGUAGE_CODE = "en"
    response = _report(client, **overrides)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message.lower() in " ".join(errors[field]).lower()
    html = response.content.decode()
    assert f'id="field-{field}"' in html and "field-invalid" in html
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0


def test_reports_are_limited_per_address(tiny, client):
    for _ in range(30):
        assert _report(client, description="").status_code == 422
    response = _report(client)
    assert response.status_code == 429 and Case.objects.count() == 0


def test_tracking_a_ticket_leads_to_its_progress(tiny, client):
    _report(client)
    case = Case.objects.get()
    found = client.get("/report/track/", {"ticket": case.ticket.lower()})
    assert (found.status_code, found["Location"]) == (302, f"/report/track/{case.ticket}/")
    page = client.get(found["Location"])
    assert page.status_code == 200
    assert (
        page.context["case"]["state"] == "reported" and "13912345678" not in page.content.decode()
    )
    photo = page.context["case"]["photos"][0]
    assert client.get(photo["url"]).status_code == 200


def test_an_unknown_ticket_is_named_on_the_ticket_field(tiny, client):
    response = client.get("/report/track/", {"ticket": "NOPE"})
    assert response.status_code == 404
    assert list(response.context["form"].errors) == ["ticket"]
    assert client.get("/report/track/").status_code == 200
    assert client.get("/report/track/NOPE/").status_code == 404


def test_a_closed_case_is_rated_with_its_key(loop, client):
    _report(client)
    case = Case.objects.get()
    key = case.reporter_key
    assert 'id="rate"' not in client.get(f"/report/track/{case.ticket}/").content.decode()
    _close(loop, case)
    page = client.get(f"/report/track/{case.ticket}/")
    assert 'id="rate"' in page.content.decode() and page.context["form"]["key"].value() == key
    rated = client.post(
        f"/report/track/{case.ticket}/rate/", {"satisfaction": 4, "comment": "挺快", "key": key}
    )
    assert rated.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.satisfaction, case.evaluation_comment) == ("evaluated", 4, "挺快")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"satisfaction": 4, "key": "wrong"}, "key"),
        ({"satisfaction": 9, "key": "KEY"}, "satisfaction"),
        ({"key": "KEY"}, "satisfaction"),
        ({"satisfaction": 4, "key": ""}, "key"),
    ],
)
def test_a_bad_rating_is_refused_on_its_field_and_changes_nothing(loop, client, body, field):
    _report(client)
    case = Case.objects.get()
    _close(loop, case)
    case.refresh_from_db()
    body = {k: (case.reporter_key if v == "KEY" else v) for k, v in body.items()}
    response = client.post(f"/report/track/{case.ticket}/rate/", body)
    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    case.refresh_from_db()
    assert (case.state, case.satisfaction) == ("closed", None)


def test_a_rating_before_closing_is_refused(loop, client):
    _report(client)
    case = Case.objects.get()
    response = client.post(
        f"/report/track/{case.ticket}/rate/", {"satisfaction": 5, "key": case.reporter_key}
    )
    assert response.status_code == 422 and response.context["form"].non_field_errors()
    case.refresh_from_db()
    assert (case.state, case.satisfaction) == ("reported", None)


def test_map_layers_are_geojson_and_cached_by_version(tiny, client):
    district = client.get("/map/layers/district.geojson")
    assert district.status_code == 200 and district["Content-Type"] == "application/geo+json"
    data = district.json()
    assert [f["properties"]["code"] for f in data["features"]] == ["440303"]
    grids = client.get("/map/layers/grids.geojson").json()
    assert len(grids["features"]) == 16
    again = client.get("/map/layers/district.geojson", HTTP_IF_NONE_MATCH=district["ETag"])
    assert again.status_code == 304
    assert client.get("/map/layers/nothing.geojson").status_code == 404


def test_the_progress_page_does_not_grow_its_queries_with_its_steps(loop, client):
    _report(client)
    case = Case.objects.get()
    url = f"/report/track/{case.ticket}/"
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as early:
        client.get(url)
    _close(loop, case)
    with CaptureQueriesContext(connection) as late:
        assert len(client.get(url).context["case"]["steps"]) == 6
    assert len(late) == len(early)


def _merged_pair(loop, client):
    """Two citizens' reports of one problem; the second merged into the first, then closed."""
    _report(client)
    _report(client)
    survivor, merged = Case.objects.order_by("id")
    loop.act(loop.acceptor, merged, "merge", into=survivor.ticket)
    _close(loop, survivor)
    survivor.refresh_from_db()
    merged.refresh_from_db()
    return survivor, merged


def test_a_merged_report_is_not_rated_on_the_page_and_nothing_changes(loop, client):
    survivor, merged = _merged_pair(loop, client)
    before = (survivor.state, survivor.satisfaction, survivor.version)
    page = client.get(f"/report/track/{merged.ticket}/")
    assert 'id="rate"' not in page.content.decode()

    response = client.post(
        f"/report/track/{merged.ticket}/rate/",
        {"satisfaction": 1, "key": merged.reporter_key},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "您的上报已合并到另一宗案卷，由该案卷的上报人评价。"
    ]
    assert "您的上报已合并到另一宗案卷" in response.content.decode()
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert (survivor.state, survivor.satisfaction, survivor.version) == before
    assert (merged.state, merged.satisfaction) == ("merged", None)
    assert not survivor.events.filter(action="evaluate").exists()


def test_the_merged_refusal_reads_in_english_too(loop, client):
    _survivor, merged = _merged_pair(loop, client)
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/report/track/{merged.ticket}/rate/", {"satisfaction": 1, "key": merged.reporter_key}
    )
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "Your report was merged into another case; that case's reporter rates it."
    ]


def test_the_survivors_reporter_still_rates_it_on_the_page(loop, client):
    survivor, _merged = _merged_pair(loop, client)
    response = client.post(
        f"/report/track/{survivor.ticket}/rate/", {"satisfaction": 5, "key": survivor.reporter_key}
    )
    assert response.status_code == 302
    survivor.refresh_from_db()
    assert (survivor.state, survivor.satisfaction) == ("evaluated", 5)


@pytest.mark.parametrize("source", ["hotline", "leader"])
def test_hotline_orders_and_leaders_instructions_are_not_shown_by_ticket(loop, client, source):
    case = loop.report(source=source, reported_by=None, description="来电人反映楼下噪音")

    looked_up = client.get("/report/track/", {"ticket": case.ticket})
    page = client.get(f"/report/track/{case.ticket}/")

    assert looked_up.status_code == 404 and list(looked_up.context["form"].errors) == ["ticket"]
    assert page.status_code == 404 and "来电人反映" not in page.content.decode()
