"""Every refusal of the JSON API is the declared bilingual body, and page numbers are bounded."""

import json

import pytest
from django.test import Client

from cityloop.core.openapi import refusal_statuses
from cityloop.core.pagination import MAX_PAGE
from cityloop.events.models import Case
from cityloop.events.tests.conftest import Loop

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/cases/",
    "/api/org/units",
    "/api/geo/grids",
    "/api/notifications/",
    "/api/tasks/",
    "/api/evidence/",
    "/api/enforcement/cases",
]
RATE_LIMITED = {("post", "/api/public/reports"), ("post", "/api/public/reports/{ticket}/photos")}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture
def loop(tiny) -> Loop:
    return Loop(tiny)


@pytest.fixture
def schema(client):
    return client.get("/api/openapi.json").json()


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


@pytest.mark.parametrize("url", LISTS)
def test_a_page_number_past_the_bound_is_a_422_on_page(loop, login, url):
    # Given an inspector of the district, who may read every list
    client = login(loop.inspector)
    # When they ask for a page number past the bound (it overflowed the database's integer)
    response = client.get(url, {"page": "9761929620820570112"})
    # Then the API refuses it on the field page, in both languages
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "field": "page",
                "code": "less_than_equal",
                "zh": "数值过大。",
                "en": "The value is too large.",
            }
        ]
    }


@pytest.mark.parametrize("url", LISTS)
def test_the_last_page_number_allowed_answers_an_empty_page(loop, login, url):
    loop.report()
    response = login(loop.inspector).get(url, {"page": MAX_PAGE})
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_every_paginated_list_declares_the_page_bound(schema):
    pages = [
        (path, p["schema"])
        for path, _, operation in _operations(schema)
        for p in operation.get("parameters", [])
        if p["name"] == "page" and p["in"] == "query"
    ]
    assert sorted(path for path, _ in pages) == sorted(LISTS)
    assert {(s["minimum"], s["maximum"]) for _, s in pages} == {(1, MAX_PAGE)}


def test_every_operation_declares_the_bilingual_refusals(schema):
    assert schema["components"]["schemas"]["ErrorItem"]["required"] == ["field", "code", "zh", "en"]
    for path, method, operation in _operations(schema):
        declared = operation["responses"]
        expected = {"400", "403", "404", "409", "422"}
        if operation.get("security"):
            expected.add("401")
        if (method, path) in RATE_LIMITED:
            expected.add("429")
        refusals = {code for code in declared if code >= "400"}
        assert refusals == expected, (method, path)
        for code in refusals:
            body = declared[code]["content"]["application/json"]["schema"]
            assert body == ERROR_REF or ERROR_REF in body["anyOf"], (method, path, code)


def test_refusal_statuses_follow_login_and_rate_limit():
    from cityloop.api import api

    operations = {
        op.view_func.__name__: op
        for router in api._get_bound_routers()
        for view in router.path_operations.values()
        for op in view.operations
    }
    assert refusal_statuses(operations["public_report"]) == [400, 403, 404, 409, 422, 429]
    assert refusal_statuses(operations["public_follow"]) == [400, 403, 404, 409, 422]
    assert refusal_statuses(operations["case_list"]) == [400, 401, 403, 404, 409, 422]


def test_an_unreadable_body_is_a_bilingual_400_and_changes_nothing(loop, login):
    client = login(loop.acceptor)
    response = client.post("/api/cases/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {
                "field": "__all__",
                "code": "unreadable",
                "zh": "无法读取请求：请发送有效的 JSON 或表单数据。",
                "en": "The request cannot be read: send valid JSON or form data.",
            }
        ]
    }
    assert not Case.objects.exists()


def test_a_session_post_without_its_csrf_token_is_a_bilingual_403(loop):
    client = Client(enforce_csrf_checks=True)
    client.force_login(loop.acceptor)
    body = {"ids": None, "all": True}
    response = client.post("/api/notifications/read", json.dumps(body), "application/json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": [
            {
                "field": "__all__",
                "code": "forbidden",
                "zh": "请求被拒绝（使用会话登录时请附上 CSRF 令牌）。",
                "en": "The request was refused (for a session, send its CSRF token).",
            }
        ]
    }
