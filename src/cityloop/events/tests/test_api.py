"""The cases API: intake, list, detail with the user's actions, each action, errors."""

import json

import pytest

from cityloop.events.models import Case
from cityloop.events.tests.conftest import PLAIN_POINT, SHOP_POINT, category, condition

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_an_inspector_reports_and_the_centre_walks_the_case_through_the_api(
    loop, login, monday_morning
):
    client = login(loop.inspector)
    response = post(
        client,
        "/api/cases/",
        {
            "description": "人行道上堆放杂物",
            "lon": SHOP_POINT[0],
            "lat": SHOP_POINT[1],
            "category": category("01", "36").pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = body["ticket"]
    assert (body["state"], body["grid"], body["source"]) == (
        "reported",
        "440303001001001",
        "inspector",
    )
    assert body["actions"] == []  # an inspector cannot accept

    client = login(loop.acceptor)
    detail = client.get(f"/api/cases/{ticket}").json()
    assert [a["action"] for a in detail["actions"]] == [
        "accept",
        "reject",
        "request_cancel",
        "merge",
    ]
    accepted = post(client, f"/api/cases/{ticket}/accept", {"version": detail["version"]}).json()
    assert accepted["state"] == "accepted"  # staff reports need no on-site confirmation

    client = login(loop.shift_leader)
    filed = post(
        client,
        f"/api/cases/{ticket}/file",
        {"version": accepted["version"], "filing_condition": condition("01", "36").pk},
    ).json()
    assert filed["state"] == "filed"
    routing = client.get(f"/api/cases/{ticket}/routing").json()
    assert routing["rule"] == "entity_zone" and "门前三包" in routing["reason"]["zh"]

    client = login(loop.dispatcher)
    dispatched = post(client, f"/api/cases/{ticket}/dispatch", {"version": filed["version"]}).json()
    assert dispatched["assignments"][0]["unit"]["name"] == "东门肠粉店"
    history = client.get(f"/api/cases/{ticket}/history").json()
    assert [h["action"] for h in history] == ["report", "accept", "file", "dispatch"]


def test_a_stale_version_is_a_409_and_changes_nothing(loop, login, monday_morning):
    case = loop.report()
    client = login(loop.acceptor)
    response = post(client, f"/api/cases/{case.ticket}/accept", {"version": case.version + 5})
    assert response.status_code == 409
    assert response.json()["detail"][0]["code"] == "case_changed"
    assert response.json()["version"] == case.version
    case.refresh_from_db()
    assert case.state == "reported"


def test_an_action_in_the_wrong_state_is_a_409_with_the_reason(loop, login, monday_morning):
    case = loop.report()
    response = post(
        login(loop.shift_leader), f"/api/cases/{case.ticket}/close", {"version": case.version}
    )
    assert response.status_code == 409
    detail = response.json()["detail"][0]
    assert (detail["code"], detail["field"]) == ("state_forbids", "state")
    assert "Reported" in detail["en"] and "Close" in detail["en"]


def test_a_role_without_the_right_is_a_403(loop, login, monday_morning):
    case = loop.report()
    response = post(
        login(loop.inspector), f"/api/cases/{case.ticket}/accept", {"version": case.version}
    )
    assert response.status_code == 403
    assert response.json()["detail"][0]["code"] == "role"


def test_another_streets_case_is_a_404(loop, login, monday_morning):
    case = loop.report(point=PLAIN_POINT)  # in street 002
    client = login(loop.community_handler)  # community 001001 of street 001
    assert client.get(f"/api/cases/{case.ticket}").status_code == 404
    assert client.get("/api/cases/").json()["count"] == 0


def test_list_filters(loop, login, monday_morning):
    loop.report()
    loop.report(point=PLAIN_POINT, cat=("05", "01"))
    client = login(loop.dispatcher)
    assert client.get("/api/cases/", {"street": "440303002"}).json()["count"] == 1
    assert client.get("/api/cases/", {"category": category("05", "01").pk}).json()["count"] == 1
    assert client.get("/api/cases/", {"state": ["reported"]}).json()["count"] == 2
    assert client.get("/api/cases/", {"overdue": True}).json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"lon": 114.1, "lat": 22.55}, "description", "missing"),
        ({"description": "x", "lon": 114.1}, "lat", "missing"),
        ({"description": "x", "lon": 113.0, "lat": 22.0}, "lon", "outside_district"),
        (
            {"description": "x", "lon": 114.1005, "lat": 22.5595, "category": 999999},
            "category",
            "not_found",
        ),
        ({"description": "x", "lon": "east", "lat": 22.5}, "lon", "float_parsing"),
        ({"description": "x", "address": "某路", "source": "citizen"}, "source", "literal_error"),
    ],
)
def test_bad_reports_name_the_field_and_create_nothing(loop, login, body, field, code):
    response = post(login(loop.inspector), "/api/cases/", body)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"][0]
    assert (detail["field"], detail["code"]) == (field, code)
    assert detail["zh"] and detail["en"]
    assert Case.objects.count() == 0
