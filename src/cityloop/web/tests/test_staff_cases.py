"""The staff case list, its export and the case detail with its action forms."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from cityloop.events.models import Case, CaseEvent
from cityloop.web.tests.staff_helpers import (
    HX,
    PLAIN_POINT,
    SHOP_POINT,
    queries,
)

pytestmark = pytest.mark.django_db


def test_the_case_list_asks_for_a_login(client, loop):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_case_list_shows_the_cases_the_user_may_see(client, loop, monday_morning):
    mine = loop.report(point=SHOP_POINT)  # street 001
    other = loop.report(point=PLAIN_POINT, cat=("05", "01"))  # street 002
    client.force_login(loop.street_handler)
    body = client.get("/cases/").content.decode()
    assert mine.ticket in body
    assert other.ticket not in body
    client.force_login(loop.acceptor)
    body = client.get("/cases/").content.decode()
    assert mine.ticket in body and other.ticket in body


def test_the_case_list_filters_by_state_and_answers_htmx_with_the_table(
    client, loop, monday_morning
):
    waiting = loop.report()
    accepted = loop.report(description="另一处垃圾")
    loop.act(loop.acceptor, accepted, "accept")
    client.force_login(loop.acceptor)
    response = client.get("/cases/?state=accepted", HTTP_HX_TARGET="case-table", **HX)
    body = response.content.decode()
    assert accepted.ticket in body and waiting.ticket not in body
    assert "<form" not in body  # only the table, not the whole page


def test_another_streets_case_is_not_found(client, loop, monday_morning):
    case = loop.report(point=SHOP_POINT)
    client.force_login(loop.other_handler)
    assert client.get(f"/cases/{case.ticket}/").status_code == 404
    assert client.get(f"/cases/{case.ticket}/act/sign/").status_code == 404


def test_the_detail_shows_exactly_the_allowed_actions(client, loop, monday_morning):
    case = loop.report()
    client.force_login(loop.inspector)
    body = client.get(f"/cases/{case.ticket}/").content.decode()
    assert 'data-action="accept"' not in body
    assert "data-action=" not in body  # an inspector has nothing to do on a new report
    client.force_login(loop.acceptor)
    body = client.get(f"/cases/{case.ticket}/").content.decode()
    assert 'data-action="accept"' in body and 'data-action="reject"' in body
    assert 'data-action="dispatch"' not in body


def test_a_refused_action_form_is_not_offered(client, loop, monday_morning):
    case = loop.report()
    client.force_login(loop.inspector)
    response = client.get(f"/cases/{case.ticket}/act/accept/")
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).state == "reported"


def test_the_action_form_carries_the_version(client, loop, monday_morning):
    case = loop.report()
    client.force_login(loop.acceptor)
    body = client.get(f"/cases/{case.ticket}/act/reject/", **HX).content.decode()
    assert f'name="version" value="{case.version}"' in body
    assert 'name="reason"' in body and "<html" not in body


def test_an_htmx_action_moves_the_case_and_appends_history(client, loop, monday_morning):
    case = loop.report()
    client.force_login(loop.acceptor)
    response = client.post(
        f"/cases/{case.ticket}/act/accept/", {"version": case.version, "comment": "受理"}, **HX
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == "accepted"
    last = CaseEvent.objects.filter(case=case).latest("id")
    assert (last.action, last.from_state, last.to_state, last.comment) == (
        "accept",
        "reported",
        "accepted",
        "受理",
    )
    body = response.content.decode()
    assert f'id="case-{case.ticket}"' in body and "<html" not in body  # the detail partial


def test_a_plain_post_redirects_to_the_detail(client, loop, monday_morning):
    case = loop.report()
    client.force_login(loop.acceptor)
    response = client.post(f"/cases/{case.ticket}/act/accept/", {"version": case.version})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.ticket}/"


def test_bad_input_shows_the_field_error_and_changes_nothing(client, loop, monday_morning):
    case = loop.report()
    client.force_login(loop.acceptor)
    events = CaseEvent.objects.filter(case=case).count()
    response = client.post(
        f"/cases/{case.ticket}/act/merge/", {"version": case.version, "into": "LH00000000-9"}, **HX
    )
    body = response.content.decode()
    assert 'class="field-error" data-field="into"' in body
    assert response["HX-Retarget"] == f"#action-{case.ticket}"
    case.refresh_from_db()
    assert (case.state, case.version) == ("reported", 1)
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_missing_reason_is_shown_on_its_field(client, loop, monday_morning):
    case = loop.report()
    client.force_login(loop.acceptor)
    response = client.post(f"/cases/{case.ticket}/act/request_cancel/", {"version": case.version})
    assert response.status_code == 422
    assert 'data-field="comment"' in response.content.decode()
    assert Case.objects.get(pk=case.pk).version == 1


def test_a_stale_version_says_the_case_changed(client, loop, monday_morning):
    case = loop.report()
    stale = case.version
    loop.act(loop.acceptor, case, "accept")
    client.force_login(loop.acceptor)
    events = CaseEvent.objects.filter(case=case).count()
    response = client.post(
        f"/cases/{case.ticket}/act/reject/",
        {"version": stale, "reason": "duplicate", "comment": "重复"},
        **HX,
    )
    body = response.content.decode()
    assert 'class="refused changed" role="alert" data-state="accepted" data-version="2"' in body
    assert response["X-CityLoop-Status"] == "409"
    case.refresh_from_db()
    assert case.state == "accepted"
    assert CaseEvent.objects.filter(case=case).count() == events


def test_the_export_has_the_filtered_rows_with_masked_reporters(client, loop, monday_morning):
    loop.report(reporter_name="张三丰", reporter_phone="13812345678")
    accepted = loop.report(reporter_name="李四", reporter_phone="13987654321")
    loop.act(loop.acceptor, accepted, "accept")
    client.force_login(loop.street_handler)
    response = client.get("/cases/export.xlsx?state=accepted")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the one accepted case
    assert rows[1][0] == accepted.ticket
    assert (rows[1][-2], rows[1][-1]) == ("李*", "139****4321")


def test_the_export_shows_reporters_in_full_to_the_centre(client, loop, monday_morning):
    loop.report(reporter_name="张三丰", reporter_phone="13812345678")
    client.force_login(loop.acceptor)
    response = client.get("/cases/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert (rows[1][-2], rows[1][-1]) == ("张三丰", "13812345678")


def test_the_case_list_query_count_does_not_grow_with_rows(client, loop, monday_morning):
    for n in range(3):
        loop.report(description=f"垃圾 {n}")
    client.force_login(loop.acceptor)
    few = queries(client, "/cases/")
    for n in range(27):
        loop.report(description=f"更多垃圾 {n}")
    assert queries(client, "/cases/") == few


def test_the_detail_query_count_does_not_grow_with_history(client, loop, monday_morning):
    case = loop.report()
    client.force_login(loop.shift_leader)
    few = queries(client, f"/cases/{case.ticket}/")
    for n in range(5):
        loop.act(loop.shift_leader, case, "urge", comment=f"督办 {n}")
    assert queries(client, f"/cases/{case.ticket}/") == few


def test_the_case_list_sorts_by_deadline_and_pages(client, loop, monday_morning):
    cases = [loop.report(description=f"垃圾 {n}") for n in range(26)]
    monday_morning.shift(timedelta(minutes=10))
    loop.act(loop.acceptor, cases[5], "accept")  # its filing clock ends after the others'
    client.force_login(loop.acceptor)
    body = client.get("/cases/").content.decode()
    assert body.index(cases[25].ticket) < body.index(cases[5].ticket)  # newest first
    cases[5].refresh_from_db()
    assert cases[5].deadline > cases[25].deadline
    body = client.get("/cases/?sort=-deadline").content.decode()
    assert body.index(cases[5].ticket) < body.index(cases[25].ticket)
    assert "page=2" in body
    second = client.get("/cases/?sort=-deadline&page=2").content.decode()
    assert second.count('href="/cases/LH') == 1


def test_a_refused_action_is_a_full_page_without_htmx(client, loop, monday_morning):
    case = loop.report()
    client.force_login(loop.inspector)
    response = client.get(f"/cases/{case.ticket}/act/accept/")
    assert response.status_code == 409
    assert "<html" in response.content.decode()


def test_a_stale_version_of_an_action_no_longer_open_says_the_case_changed(
    client, loop, monday_morning
):
    case = loop.report()
    stale = case.version
    loop.act(loop.acceptor, case, "accept")
    client.force_login(loop.acceptor)
    response = client.post(f"/cases/{case.ticket}/act/accept/", {"version": stale})
    assert response.status_code == 409
    assert 'class="refused changed"' in response.content.decode()
