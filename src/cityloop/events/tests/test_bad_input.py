"""Bad input on every write endpoint: a 422 naming the field, in both languages, and nothing
changed."""

import json

import pytest

from cityloop.events.models import Case, CaseEvent
from cityloop.events.tests.conftest import condition

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _filed(loop):
    case = loop.report()
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition("01", "10").pk)
    case.refresh_from_db()
    return case


def _handling(loop):
    case = _filed(loop)
    loop.act(loop.dispatcher, case, "dispatch")
    loop.act(loop.shop_handler, case, "sign")
    case.refresh_from_db()
    return case


def _closed(loop):
    case = _handling(loop)
    loop.act(loop.shop_handler, case, "feed_back", comment="ok")
    loop.act(loop.inspector, case, "verify")
    loop.act(loop.shift_leader, case, "close")
    case.refresh_from_db()
    return case


CASES = [
    # (how to get the case, who acts, action, body without version, field, code)
    (lambda loop: loop.report(), "acceptor", "accept", {"version": "x"}, "version", "int_parsing"),
    (lambda loop: loop.report(), "acceptor", "reject", {"reason": "bored"}, "reason", "enum"),
    (lambda loop: loop.report(), "acceptor", "reject", {}, "reason", "missing"),
    (
        lambda loop: _accepted(loop),
        "shift_leader",
        "file",
        {"filing_condition": 999999},
        "filing_condition",
        "invalid_choice",
    ),
    (
        lambda loop: _accepted(loop),
        "shift_leader",
        "file",
        {"filing_condition": "one"},
        "filing_condition",
        "int_parsing",
    ),
    (_filed, "dispatcher", "dispatch", {"unit": 999999}, "unit", "invalid_choice"),
    (
        _filed,
        "dispatcher",
        "dispatch",
        {"assisting": [{"task": "x"}]},
        "assisting.0.unit",
        "missing",
    ),
    (_handling, "shop_handler", "feed_back", {"comment": ""}, "comment", "missing"),
    (
        _handling,
        "shop_handler",
        "request_extension",
        {"requested_deadline": "tomorrow", "comment": "x"},
        "requested_deadline",
        "datetime_from_date_parsing",
    ),
    (
        _handling,
        "shop_handler",
        "request_extension",
        {"requested_deadline": "2020-01-01T09:00:00+08:00", "comment": "x"},
        "requested_deadline",
        "range",
    ),
    (_closed, "acceptor", "evaluate", {"satisfaction": 7}, "satisfaction", "less_than_equal"),
    (
        lambda loop: loop.report(),
        "acceptor",
        "merge",
        {"into": "LH00000000-000000"},
        "into",
        "invalid_choice",
    ),
    (_handling, "shift_leader", "approve_extension", {}, "state", "no_request"),
]


def _accepted(loop):
    case = loop.report()
    loop.act(loop.acceptor, case, "accept")
    case.refresh_from_db()
    return case


@pytest.mark.parametrize(("make", "who", "action", "body", "field", "code"), CASES)
def test_bad_action_input_is_a_422_on_the_field_and_changes_nothing(
    loop, login, monday_morning, make, who, action, body, field, code
):
    case = make(loop)
    before = (
        case.version,
        case.state,
        CaseEvent.objects.filter(case=case).count(),
        case.requests.count(),
    )
    body = {"version": case.version, **body}
    response = _post(login(getattr(loop, who)), f"/api/cases/{case.ticket}/{action}", body)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"][0]
    assert (detail["field"], detail["code"]) == (field, code)
    assert detail["zh"] != "" and detail["en"] != ""
    case.refresh_from_db()
    assert (
        case.version,
        case.state,
        CaseEvent.objects.filter(case=case).count(),
        case.requests.count(),
    ) == before


def test_every_action_has_its_endpoint(loop, login):
    from cityloop.events.workflow import TRANSITIONS, Actor

    schema = login(loop.acceptor).get("/api/openapi.json").json()
    paths = schema["paths"]
    for action, t in TRANSITIONS.items():
        if t.actor != Actor.SYSTEM:
            assert f"/api/cases/{{ticket}}/{action}" in paths, action


def test_refusals_and_rejections_walk(loop, monday_morning):
    """The remaining side paths: reject, refute, refused requests."""
    rejected = loop.report()
    loop.act(loop.acceptor, rejected, "reject", reason="out_of_scope", comment="非城管职责")
    public = loop.report(source="citizen")
    loop.act(loop.acceptor, public, "accept")
    loop.act(loop.inspector, public, "refute", comment="现场无此问题")
    case = _handling(loop)
    loop.act(
        loop.shop_handler,
        case,
        "request_extension",
        comment="x",
        requested_deadline="2030-01-01T09:00:00+08:00",
    )
    loop.act(loop.shift_leader, case, "refuse_extension", comment="时限足够")
    loop.act(loop.shop_handler, case, "request_suspension", comment="y")
    loop.act(loop.shift_leader, case, "refuse_suspension", comment="可以处理")
    loop.act(loop.dispatcher, case, "request_cancel", comment="z")
    loop.act(loop.shift_leader, case, "refuse_cancel", comment="继续处理")
    for c in (rejected, public, case):
        c.refresh_from_db()
    assert (rejected.state, public.state, case.state) == ("rejected", "rejected", "handling")
    assert sorted(case.requests.values_list("kind", "status")) == [
        ("cancellation", "refused"),
        ("extension", "refused"),
        ("suspension", "refused"),
    ]
    assert Case.objects.filter(state="rejected").count() == 2
