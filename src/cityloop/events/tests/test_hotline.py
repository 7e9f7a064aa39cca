"""12345 hotline orders: imported once however often they are sent; a bad batch imports nothing."""

import json

import pytest
from django.core.management import CommandError, call_command

from cityloop.events.models import Case
from cityloop.events.services.hotline import hotline_import
from cityloop.events.tests.conftest import PLAIN_POINT, SHOP_POINT

pytestmark = pytest.mark.django_db

ORDERS = [
    {
        "order_no": "SZ12345-2025-0001",
        "content": "店门口堆放纸箱",
        "lon": SHOP_POINT[0],
        "lat": SHOP_POINT[1],
        "category": "event-01-36",
        "caller_name": "王五",
        "caller_phone": "13700000000",
    },
    {
        "order_no": "SZ12345-2025-0002",
        "content": "供水管漏水",
        "address": "街道002某路1号",
        "lon": PLAIN_POINT[0],
        "lat": PLAIN_POINT[1],
        "category": "05-01",
        "urgent": True,
    },
]


def test_the_same_orders_twice_make_the_cases_once(loop, monday_morning):
    first = hotline_import(orders=ORDERS, actor=loop.acceptor)
    assert first.ok and len(first.created) == 2
    second = hotline_import(orders=ORDERS, actor=loop.acceptor)
    assert (len(second.created), second.existing) == (0, first.created)
    assert Case.objects.filter(source="hotline").count() == 2
    urgent = Case.objects.get(external_id="SZ12345-2025-0002")
    assert (urgent.urgency, urgent.category.name) == ("urgent", "供水管道破裂")


def test_a_batch_with_a_bad_order_names_it_and_imports_nothing(loop):
    bad = [*ORDERS, {"order_no": "SZ12345-2025-0003", "content": "", "category": "event-99-99"}]
    report = hotline_import(orders=bad, actor=loop.acceptor)
    assert not report.ok
    assert [(p.number, p.order_no, p.field) for p in report.problems] == [
        (3, "SZ12345-2025-0003", "category"),
        (3, "SZ12345-2025-0003", "content"),
    ]
    assert not Case.objects.exists()


def test_a_repeated_order_number_inside_a_batch_is_refused(loop):
    report = hotline_import(orders=[ORDERS[0], ORDERS[0]], actor=loop.acceptor)
    assert [p.field for p in report.problems] == ["order_no"]
    assert not Case.objects.exists()


def test_the_hotline_endpoint_with_a_token(loop, client, monday_morning):
    from cityloop.org.tokens import api_token_create

    _, key = api_token_create(user=loop.acceptor, name="12345热线")
    url = "/api/hotline/orders"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.post(url, json.dumps(ORDERS), content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["ok"]
    again = client.post(url, json.dumps(ORDERS), content_type="application/json", **headers).json()
    assert [r["created"] for r in again["results"]] == [False, False]
    refused = client.post(
        url, json.dumps(ORDERS), content_type="application/json", HTTP_AUTHORIZATION="Bearer wrong"
    )
    assert refused.status_code == 401


def test_a_bad_batch_over_the_endpoint_is_a_422_report_and_imports_nothing(loop, login):
    # Given an acceptor, and a batch whose third order has no content and an unknown category
    bad = [*ORDERS, {"order_no": "SZ12345-2025-0003", "content": "", "category": "event-99-99"}]
    # When the batch is posted to the hotline endpoint
    response = login(loop.acceptor).post(
        "/api/hotline/orders", json.dumps(bad), content_type="application/json"
    )
    # Then it is refused whole with the report naming the order and its fields
    assert response.status_code == 422
    body = response.json()
    assert (body["ok"], body["results"]) == (False, [])
    assert [(p["number"], p["order_no"], p["field"]) for p in body["problems"]] == [
        (3, "SZ12345-2025-0003", "category"),
        (3, "SZ12345-2025-0003", "content"),
    ]
    assert all(p["zh"] and p["en"] for p in body["problems"])
    assert not Case.objects.exists()


def test_the_import_command_reads_csv_and_json(loop, tmp_path, monday_morning):
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(ORDERS, ensure_ascii=False), encoding="utf-8")
    call_command("import_hotline", str(path))
    call_command("import_hotline", str(path))
    assert Case.objects.count() == 2
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("order_no,content\nA-1,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_hotline", str(csv_path))


def test_token_clients_need_no_csrf_but_sessions_do(loop, monday_morning):
    from django.test import Client

    from cityloop.org.tokens import api_token_create

    _, key = api_token_create(user=loop.acceptor, name="12345热线")
    strict = Client(enforce_csrf_checks=True)
    body = json.dumps(ORDERS)
    token = strict.post(
        "/api/hotline/orders",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert token.status_code == 200
    strict.force_login(loop.acceptor)
    session = strict.post("/api/hotline/orders", body, content_type="application/json")
    assert session.status_code == 403  # a browser session must send the CSRF token
