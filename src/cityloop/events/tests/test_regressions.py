"""Regressions found in review: each test fails on the code before its fix."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityloop.events.models import Case
from cityloop.events.services.refusals import ActionRefused, BadInput
from cityloop.events.services.transitions import case_act
from cityloop.events.tests.conftest import PLAIN_POINT, condition

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def filed(loop, point=PLAIN_POINT, cat=("04", "01")):
    case = loop.report(point=point, cat=cat)
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition(*cat).pk)
    case.refresh_from_db()
    return case


def test_an_assisting_unit_cannot_sign_for_the_lead(loop, monday_morning):
    case = filed(loop, point=(114.1005, 22.5595))
    loop.act(
        loop.dispatcher,
        case,
        "dispatch",
        unit=loop.tiny.streets["001"].pk,
        assisting=[{"unit": loop.water.pk}],
    )
    case.refresh_from_db()
    with pytest.raises(ActionRefused) as exc:
        case_act(actor=loop.water_handler, case=case, action="sign", version=case.version)
    assert exc.value.code == "unit"


def test_a_repeated_external_id_does_not_show_a_case_the_user_cannot_see(
    loop, login, monday_morning
):
    loop.report(point=PLAIN_POINT, external_id="CAM-7")  # in street 002, source inspector
    body = {"source": "inspector", "external_id": "CAM-7", "description": "x", "address": "某路"}
    response = post(login(loop.street_dispatcher), "/api/cases/", body)  # street 001
    assert response.status_code == 404


def test_a_role_reports_only_under_its_own_source(loop, login):
    body = {"source": "leader", "description": "领导交办", "address": "某路"}
    response = post(login(loop.shop_handler), "/api/cases/", body)
    assert response.status_code == 403
    assert response.json()["detail"][0]["field"] == "source"
    assert not Case.objects.exists()


def test_an_extension_that_has_already_passed_cannot_be_approved(loop, monday_morning):
    case = filed(loop)
    loop.act(loop.dispatcher, case, "dispatch")
    loop.act(loop.other_handler, case, "sign")
    case.refresh_from_db()
    loop.act(
        loop.other_handler,
        case,
        "request_extension",
        comment="需时间",
        requested_deadline=case.deadline + timedelta(hours=1),
    )
    monday_morning.shift(timedelta(days=3))
    with pytest.raises(BadInput) as exc:
        loop.act(loop.shift_leader, case, "approve_extension")
    assert exc.value.field == "requested_deadline"


def test_a_return_withdraws_the_units_pending_requests(loop, monday_morning):
    case = filed(loop, cat=("05", "01"))
    loop.act(loop.dispatcher, case, "dispatch", unit=loop.housing.pk)
    loop.act(loop.housing_handler, case, "sign")
    case.refresh_from_db()
    loop.act(
        loop.housing_handler,
        case,
        "request_extension",
        comment="x",
        requested_deadline=case.deadline + timedelta(days=1),
    )
    loop.act(loop.housing_handler, case, "return", comment="不属于本单位")
    assert list(case.requests.values_list("status", flat=True)) == ["withdrawn"]
    loop.act(loop.dispatcher, case, "dispatch", unit=loop.water.pk)
    with pytest.raises(BadInput) as exc:
        loop.act(loop.shift_leader, case, "approve_extension")
    assert exc.value.code == "no_request"


def test_merging_into_a_case_the_user_cannot_see_is_refused(loop, monday_morning):
    mine = filed(
        loop, point=(114.1005, 22.5595)
    )  # street 001, filed: merge allowed before dispatch
    theirs = loop.report(point=PLAIN_POINT)  # street 002
    with pytest.raises(BadInput) as exc:
        case_act(
            actor=loop.street_dispatcher,
            case=mine,
            action="merge",
            version=mine.version,
            into=theirs.ticket,
        )
    assert exc.value.field == "into"


def test_a_street_dispatches_only_within_the_street_or_to_a_department(loop, monday_morning):
    case = filed(loop, point=(114.1005, 22.5595))  # street 001
    other_community = loop.tiny.communities["440303002001"]
    with pytest.raises(BadInput) as exc:
        case_act(
            actor=loop.street_dispatcher,
            case=case,
            action="dispatch",
            version=case.version,
            unit=other_community.pk,
        )
    assert exc.value.field == "unit"
    done = case_act(
        actor=loop.street_dispatcher,
        case=case,
        action="dispatch",
        version=case.version,
        unit=loop.water.pk,
    )
    assert done.state == "dispatched"


def test_an_assisting_deadline_must_be_aware_and_in_the_future(loop, monday_morning):
    case = filed(loop, point=(114.1005, 22.5595))
    with pytest.raises(BadInput) as exc:
        loop.act(
            loop.dispatcher,
            case,
            "dispatch",
            assisting=[{"unit": loop.water.pk, "deadline": "2020-01-01T09:00:00"}],
        )
    assert exc.value.field == "assisting.0.deadline"


def test_an_assisting_unit_reports_once(loop, monday_morning):
    case = filed(loop, point=(114.1005, 22.5595))
    loop.act(
        loop.dispatcher,
        case,
        "dispatch",
        unit=loop.tiny.streets["001"].pk,
        assisting=[{"unit": loop.water.pk}],
    )
    loop.act(loop.water_handler, case, "assist_report", comment="已完成")
    with pytest.raises(BadInput) as exc:
        loop.act(loop.water_handler, case, "assist_report", comment="再报")
    assert exc.value.code == "already_reported"
    assignment = case.assignments.get(role="assist")
    case.refresh_from_db()
    assert assignment.deadline == case.deadline  # an assistant's deadline defaults to the case's


def test_a_rework_keeps_the_first_handling_deadline(loop, monday_morning):
    case = filed(loop)
    loop.act(loop.dispatcher, case, "dispatch")
    case.refresh_from_db()
    first = case.handle_deadline
    loop.act(loop.other_handler, case, "sign")
    monday_morning.shift(timedelta(days=5))  # fed back late
    loop.act(loop.other_handler, case, "feed_back", comment="已处理")
    loop.act(loop.inspector, case, "rework", comment="未处理干净")
    loop.act(loop.other_handler, case, "feed_back", comment="已处理干净")
    loop.act(loop.inspector, case, "verify")
    loop.act(loop.shift_leader, case, "close")
    case.refresh_from_db()
    assert case.handle_deadline == first
    assert case.closed_on_time is False


def test_hotline_and_leader_cases_are_not_public(loop, client, monday_morning):
    case = loop.report(source="hotline", external_id="SZ-1")
    assert client.get(f"/api/public/reports/{case.ticket}").status_code == 404


def test_a_merged_reports_key_does_not_rate_the_survivor(loop, client, monday_morning):
    first = client.post(
        "/api/public/reports",
        json.dumps({"description": "垃圾", "lon": 114.1005, "lat": 22.5595}),
        content_type="application/json",
    ).json()
    second = client.post(
        "/api/public/reports",
        json.dumps({"description": "垃圾", "lon": 114.1005, "lat": 22.5595}),
        content_type="application/json",
    ).json()
    dup = Case.objects.get(ticket=second["ticket"])
    loop.act(loop.acceptor, dup, "merge", into=first["ticket"])
    response = post(
        client,
        f"/api/public/reports/{second['ticket']}/rating",
        {"key": second["key"], "satisfaction": 1},
    )
    assert response.status_code == 409 and response.json()["detail"][0]["code"] == "merged"


def test_the_case_list_reads_one_page_not_every_case(loop, login, monday_morning):
    client = login(loop.dispatcher)
    for _ in range(3):
        loop.report()
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/cases/").status_code == 200
    for _ in range(30):
        loop.report()
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/cases/").json()
    assert body["count"] == 33
    assert len(many.captured_queries) == len(few.captured_queries)
    listing = [
        q["sql"]
        for q in many.captured_queries
        if 'FROM "events_case"' in q["sql"] and "COUNT" not in q["sql"]
    ]
    assert all("LIMIT" in sql for sql in listing)


def test_a_category_can_ask_for_on_site_confirmation_whatever_the_source(loop, monday_morning):
    from cityloop.events.tests.conftest import category

    cat = category("01", "10")
    cat.requires_confirmation = True
    cat.save()
    case = loop.report()  # an inspector's report, which normally needs no confirmation
    loop.act(loop.acceptor, case, "accept")
    case.refresh_from_db()
    assert case.state == "confirming"


def test_a_new_report_shows_its_likely_duplicates(loop, login, monday_morning):
    first = loop.report(source="citizen")
    second = loop.report(source="citizen")
    body = login(loop.acceptor).get(f"/api/cases/{second.ticket}").json()
    assert [d["ticket"] for d in body["duplicates"]] == [first.ticket]


@pytest.mark.parametrize("suffix", ["", "/history"])
def test_detail_and_history_queries_do_not_grow_with_the_history(
    loop, login, monday_morning, suffix
):
    case = loop.report()
    client = login(loop.dispatcher)
    with CaptureQueriesContext(connection) as short:
        assert client.get(f"/api/cases/{case.ticket}{suffix}").status_code == 200
    for n in range(6):
        loop.act(loop.leader, case, "urge", comment=f"第{n}次督办")
    with CaptureQueriesContext(connection) as long:
        assert client.get(f"/api/cases/{case.ticket}{suffix}").status_code == 200
    assert len(long.captured_queries) == len(short.captured_queries)
