"""The enforcement API: a street's cases for its own team only, the party masked unless the
user may see it, the simple procedure walked through the endpoints, refusals that change
nothing, the list's filters and its query count."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cityloop.enforcement.models import EnforcementCase, Evidence
from cityloop.enforcement.services import sweep
from cityloop.enforcement.tests.conftest import ORG_CODE, PERSON_ID

pytestmark = pytest.mark.django_db
BASE = "/api/enforcement/cases"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def codes(response) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["detail"]]


def _proposed(team, **clue):
    """A clue proposed for filing by officers a and b (nothing issued yet: no document)."""
    now = timezone.now()
    case = team.clue(now=now, **clue)
    return team.act(
        team.a,
        case,
        "propose_filing",
        violation=team.violation("GS-03").pk,
        occurred_at=now - timedelta(days=1),
        facts="某小区未按要求设置分类投放点。",
        officers=[{"officer": team.b.pk}],
        **team.party(),
    )


def _on_the_spot_body(team, version, **extra):
    return {
        "version": version,
        "violation": team.violation("GS-01").pk,
        "occurred_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
        "facts": "未按规定分类投放",
        "officers": [{"officer": team.b.pk}],
        **team.party(),
        **extra,
    }


# --- scoping -----------------------------------------------------------------------------
def test_another_streets_officer_gets_404_and_an_empty_list(team, login):
    case = _proposed(team)
    client = login(team.other)
    for response in (
        client.get(f"{BASE}/{case.number}"),
        post(client, f"{BASE}/{case.number}/approve_filing", {"version": case.version}),
        client.get(f"{BASE}/NO-SUCH-NUMBER"),
    ):
        assert response.status_code == 404, response.content
        assert codes(response) == [("__all__", "not_found")]
    assert client.get(BASE).json() == {"items": [], "count": 0}
    # The district's leader sees the street's case.
    listed = login(team.chief).get(BASE).json()
    assert [c["number"] for c in listed["items"]] == [case.number]


# --- masking -----------------------------------------------------------------------------
def test_the_party_is_whole_for_the_cases_officers_and_masked_for_another_officer(team, login):
    case = _proposed(team)
    whole = login(team.a).get(f"{BASE}/{case.number}").json()["party"]
    assert (whole["identity"], whole["phone"], whole["masked"]) == (
        PERSON_ID,
        "13800138000",
        False,
    )
    # officer c works in the same street but is not on this case
    masked = login(team.c).get(f"{BASE}/{case.number}").json()
    party = masked["party"]
    assert party["identity"] == PERSON_ID[:6] + "********" + PERSON_ID[-4:]
    assert (party["phone"], party["masked"], party["name"]) == ("138****8000", True, "张三")
    # nothing personal in the timeline: the party's row id is left out of the details
    proposal = next(e for e in masked["timeline"] if e["action"] == "propose_filing")
    assert "party" not in proposal["data"]
    assert proposal["data"]["violation"] == "GS-03"
    assert PERSON_ID not in json.dumps(masked) and "13800138000" not in json.dumps(masked)


def test_the_legal_reviewer_sees_the_party_whole(team, login):
    case = _proposed(team)
    party = login(team.reviewer).get(f"{BASE}/{case.number}").json()["party"]
    assert (party["identity"], party["masked"]) == (PERSON_ID, False)


# --- the simple procedure through the API ------------------------------------------------
def test_the_simple_procedure_walked_through_the_api(team, login):
    client = login(team.a)
    created = post(
        client,
        BASE,
        {"source": "patrol", "title": "东门路未分类投放", "place": "东门路 12 号"},
    )
    assert created.status_code == 201, created.content
    clue = created.json()
    assert (clue["state"], clue["unit"]["code"], clue["procedure"]) == (
        "registered",
        "440303001",
        "ordinary",
    )
    actions = [a["action"] for a in clue["actions"]]
    assert "on_the_spot" in actions and "propose_filing" in actions
    assert "approve_filing" not in actions  # the person in charge's

    url = f"{BASE}/{clue['number']}"
    decided = post(
        client, f"{url}/on_the_spot", _on_the_spot_body(team, clue["version"], fine=50, cash=True)
    )
    assert decided.status_code == 200, decided.content
    case = decided.json()
    assert (case["procedure"], case["state"], case["fine"], case["paid"]) == (
        "simple",
        "execution",
        "50.00",
        "50.00",
    )
    assert [c["kind"] for c in case["clocks"]] == ["handover"]
    assert {o["id"] for o in case["officers"]} == {team.a.pk, team.b.pk}
    assert case["violation"]["code"] == "GS-01" and case["violation"]["version"] == 1
    [document] = case["documents"]
    assert document["kind"] == "on_the_spot_decision" and document["number"]
    docx = client.get(document["docx_url"])
    assert docx.status_code == 200
    body = b"".join(docx.streaming_content)
    assert hashlib.sha256(body).hexdigest() == document["sha256"]
    pdf = client.get(document["pdf_url"])
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    rendered = b"".join(pdf.streaming_content)
    assert rendered.startswith(b"%PDF")
    again = client.get(url).json()["documents"][0]
    assert again["pdf_sha256"] == hashlib.sha256(rendered).hexdigest()  # kept once rendered
    actions = [a["action"] for a in case["actions"]]
    assert "hand_over" in actions and "close" not in actions  # closing is the leader's

    handed = post(client, f"{url}/hand_over", {"version": case["version"]}).json()
    assert handed["clocks"][0]["state"] == "stopped"

    closed = post(
        login(team.leader), f"{url}/close", {"version": handed["version"], "summary": "当场收缴"}
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == "closed"
    timeline = [e["action"] for e in closed.json()["timeline"]]
    assert timeline == ["register", "on_the_spot", "hand_over", "close"]


def test_a_document_of_another_case_is_404(team, login):
    case = _proposed(team)
    other = team.clue(title="另一条线索")
    client = login(team.a)
    assert client.get(f"{BASE}/{other.number}/documents/1.docx").status_code == 404
    assert client.get(f"{BASE}/{case.number}/documents/999.pdf").status_code == 404


# --- refusals change nothing -------------------------------------------------------------
def test_a_refused_on_the_spot_decision_is_a_422_and_changes_nothing(team, login):
    case = team.clue()
    client = login(team.a)
    over = _on_the_spot_body(team, case.version, fine=201)  # 第五十一条: 200 for a person
    response = post(client, f"{BASE}/{case.number}/on_the_spot", over)
    assert response.status_code == 422, response.content
    assert codes(response) == [("fine", "over_limit")]
    assert "第五十一条" in response.json()["detail"][0]["zh"]

    missing = _on_the_spot_body(team, case.version, fine=50)
    del missing["facts"]
    response = post(client, f"{BASE}/{case.number}/on_the_spot", missing)
    assert (response.status_code, codes(response)) == (422, [("facts", "missing")])

    typo = _on_the_spot_body(team, case.version, fine=50, fines=50)
    response = post(client, f"{BASE}/{case.number}/on_the_spot", typo)
    assert (response.status_code, codes(response)) == (422, [("fines", "extra_forbidden")])

    after = client.get(f"{BASE}/{case.number}").json()
    assert (after["version"], after["state"], after["party"]) == (case.version, "registered", None)
    assert [e["action"] for e in after["timeline"]] == ["register"]


def test_an_officer_cannot_take_the_person_in_charges_action(team, login):
    case = _proposed(team)
    response = post(
        login(team.a), f"{BASE}/{case.number}/approve_filing", {"version": case.version}
    )
    assert response.status_code == 403
    assert codes(response) == [("__all__", "role")]
    case.refresh_from_db()
    assert (case.state, case.filed_at) == ("filing", None)


def test_a_stale_version_is_a_409_with_the_current_one(team, login):
    case = _proposed(team)
    response = post(
        login(team.leader), f"{BASE}/{case.number}/approve_filing", {"version": case.version - 1}
    )
    assert response.status_code == 409
    assert response.json()["version"] == case.version
    assert EnforcementCase.objects.get(pk=case.pk).state == "filing"


def test_a_clue_for_another_street_is_refused(team, login):
    response = post(login(team.a), BASE, {"source": "patrol", "title": "x", "unit": "440303002"})
    assert (response.status_code, codes(response)) == (422, [("unit", "invalid")])
    response = post(login(team.a), BASE, {"source": "rumour", "title": "x"})
    assert (response.status_code, codes(response)) == (422, [("source", "enum")])
    assert not EnforcementCase.objects.exists()


# --- evidence with files -----------------------------------------------------------------
def test_evidence_with_a_photo_through_the_multipart_endpoint(team, login):
    case = _proposed(team)
    case = team.act(team.leader, case, "approve_filing")
    photo = b"\xff\xd8\xff\xe0 a photo of the missing sorting point \xff\xd9"
    client = login(team.a)
    url = f"{BASE}/{case.number}/add_evidence/with-files"
    form = {
        "version": case.version,
        "kind": "photo",
        "description": "现场照片：投放点缺失",
        "officers": [team.b.pk],
        "files": [SimpleUploadedFile("scene.jpg", photo, content_type="image/jpeg")],
    }
    response = client.post(url, form)
    assert response.status_code == 200, response.content
    [item] = response.json()["evidence"]
    assert item["sha256"] == hashlib.sha256(photo).hexdigest()
    assert item["officers"] == sorted([team.a.pk, team.b.pk])
    got = client.get(item["file_url"])
    assert b"".join(got.streaming_content) == photo

    # a misspelt field is refused, not dropped
    typo = client.post(url, {**form, "files": [], "kinds": "photo"})
    assert (typo.status_code, codes(typo)) == (422, [("kinds", "extra_forbidden")])
    # a photo without the photo is refused, on the field the page shows
    refused = client.post(url, {**form, "files": [], "version": response.json()["version"]})
    assert (refused.status_code, codes(refused)) == (422, [("photos", "missing")])
    assert Evidence.objects.filter(case=case).count() == 1


# --- the list ----------------------------------------------------------------------------
def test_the_list_filters(team, login):
    patrol = team.clue(title="东门路乱摆卖")
    proposed = _proposed(team, title="小区未设分类投放点")
    organisation = team.clue(title="某物业公司垃圾混装", source="complaint")
    client = login(team.a)

    def numbers(**query):
        response = client.get(BASE, query)
        assert response.status_code == 200, response.content
        return [c["number"] for c in response.json()["items"]]

    everything = numbers()
    assert everything == [organisation.number, proposed.number, patrol.number]
    assert numbers(state="registered") == [organisation.number, patrol.number]
    assert numbers(state=["registered", "filing"]) == everything
    assert numbers(category="garbage") == [proposed.number]
    assert numbers(category="dogs") == []
    assert numbers(mine=True) == [proposed.number]  # a is an officer of the proposal only
    assert numbers(q="物业") == [organisation.number]
    assert numbers(q=patrol.number) == [patrol.number]
    assert numbers(unit="440303001") == everything
    assert numbers(unit="440303002") == []
    assert numbers(procedure="simple") == []
    assert numbers(clock="overdue") == []
    bad = client.get(BASE, {"clock": "late"})
    assert (bad.status_code, codes(bad)) == (422, [("clock", "literal_error")])
    # the filing approved starts the 90-day clock (第六十条); past it, the sweep turns it
    team.act(team.leader, proposed, "approve_filing")
    sweep(timezone.now() + timedelta(days=120))
    assert numbers(clock="overdue") == [proposed.number]
    assert numbers(clock="due_soon") == []
    [row] = client.get(BASE, {"clock": "overdue"}).json()["items"]
    assert (row["next_clock"]["kind"], row["next_clock"]["state"]) == ("decision", "overdue")
    assert row["party_name"] == "张三" and row["category"] == "garbage"


def test_the_lists_query_count_does_not_grow_with_its_rows(team, login):
    client = login(team.chief)
    _proposed(team)
    with CaptureQueriesContext(connection) as few:
        assert client.get(BASE).json()["count"] == 1
    for n in range(4):
        _proposed(team, title=f"线索 {n}", place=f"东门路 {n} 号")
    with CaptureQueriesContext(connection) as many:
        assert client.get(BASE).json()["count"] == 5
    assert len(many) == len(few)


# --- a sealed evidence package ---------------------------------------------------------------
def test_a_sealed_package_becomes_a_clue_with_its_items_as_evidence(team, login):
    from cityloop.web.tests.test_sorting_evidence import _seal

    package = _seal(team.tiny, "H-0001", "440303001001", "P-001")
    response = post(login(team.a), f"{BASE}/from-package/{package.number}", {})
    assert response.status_code == 201, response.content
    case = response.json()
    assert (case["source"], case["source_package"], case["unit"]["code"]) == (
        "evidence",
        package.number,
        "440303001",
    )
    items = list(package.items.order_by("seq"))
    assert [e["sha256"] for e in case["evidence"]] == [i.digest for i in items]
    assert {e["chain_digest"] for e in case["evidence"]} == {package.digest}
    # once only; and another street's officer does not reach the package
    again = post(login(team.a), f"{BASE}/from-package/{package.number}", {})
    assert (again.status_code, codes(again)) == (422, [("package", "already")])
    other = post(login(team.other), f"{BASE}/from-package/{package.number}", {})
    assert other.status_code == 404


def test_organisation_identity_is_masked_too(team, login):
    from cityloop.enforcement.choices import PartyKind

    now = timezone.now()
    case = team.clue(now=now)
    team.act(
        team.a,
        case,
        "propose_filing",
        violation=team.violation("GS-03").pk,
        occurred_at=now - timedelta(days=1),
        facts="x",
        officers=[{"officer": team.b.pk}],
        **team.party(PartyKind.ORGANISATION),
    )
    party = login(team.c).get(f"{BASE}/{case.number}").json()["party"]
    assert party["identity"] == ORG_CODE[:6] + "********" + ORG_CODE[-4:]
    assert party["legal_representative"] == "李四"


def test_the_detail_query_count_does_not_grow_with_its_timeline_and_officers(team, login):
    case = _proposed(team)
    client = login(team.a)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{BASE}/{case.number}").status_code == 200
    for _ in range(2):  # returned and proposed again, with one more officer each time
        case = team.act(team.leader, case, "return_filing", comment="补充事实")
        case = team.act(
            team.a,
            case,
            "propose_filing",
            violation=team.violation("GS-03").pk,
            occurred_at=case.occurred_at,
            facts="补充后的事实",
            officers=[{"officer": team.b.pk}, {"officer": team.c.pk}],
            **team.party(),
        )
    with CaptureQueriesContext(connection) as many:
        detail = client.get(f"{BASE}/{case.number}").json()
    assert len(detail["timeline"]) == 6 and len(detail["officers"]) == 3
    assert len(many) == len(few)


# --- verify and figures ---------------------------------------------------------------------------


def test_a_case_file_verifies_through_the_api_and_an_edit_is_named(team, client):
    from django.db import connection

    from cityloop.enforcement.tests.test_documents import _decided

    case = _decided(team)
    client.force_login(team.a)
    answer = client.get(f"/api/enforcement/cases/{case.number}/verify")
    assert answer.status_code == 200
    body = answer.json()
    assert body["ok"] is True and body["cases"] == 1 and body["rows"] == case.events.count()
    row = case.events.get(action="conclude")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE enforcement_enforcementevent SET actor_label = %s WHERE id = %s",
            ["someone else", row.pk],
        )
    body = client.get(f"/api/enforcement/cases/{case.number}/verify").json()
    assert body["ok"] is False
    assert [(p["case"], p["what"]) for p in body["problems"]] == [(case.number, "row_digest")]
    assert body["problems"][0]["label"]["zh"].startswith("有一条案卷记录")
    # Another street's officer sees neither the case nor its check.
    client.force_login(team.other)
    assert client.get(f"/api/enforcement/cases/{case.number}/verify").status_code == 404
    assert client.get("/api/enforcement/verify").json()["cases"] == 0


def test_the_figures_count_the_decided_case_and_export_to_excel(team, client):
    import io

    from openpyxl import load_workbook

    from cityloop.enforcement.tests.test_documents import _decided

    _decided(team)  # a garbage-sorting case filed and fined in March 2024
    client.force_login(team.chief)
    answer = client.get("/api/enforcement/figures?start=2024-01-01&end=2024-12-31")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    values = {f["key"]: f["value"] for f in body["figures"]}
    assert values["cases"] == 1 and values["garbage_penalties"] == 1
    assert body["sentence"].startswith("全区办理行政执法案件1宗；办理垃圾分类行政处罚案件1宗")
    # The street's own officer gets the street's figures; the other street's, none.
    client.force_login(team.other)
    other = client.get("/api/enforcement/figures?start=2024-01-01&end=2024-12-31")
    assert {f["key"]: f["value"] for f in other.json()["figures"]}["cases"] == 0
    client.force_login(team.chief)
    # A period that ends before it starts is a refusal naming the field.
    bad = client.get("/api/enforcement/figures?start=2024-12-31&end=2024-01-01")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "end"
    book = client.get("/api/enforcement/figures.xlsx?start=2024-01-01&end=2024-12-31")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(book.streaming_content))).worksheets[0]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any(isinstance(c, str) and "办理垃圾分类行政处罚案件" in c for c in cells)


def test_a_nul_character_in_a_search_or_a_clue_is_dropped_not_a_server_error(team, login):
    client = login(team.a)
    assert client.get(BASE, {"q": "东门\x00路"}).status_code == 200
    answer = post(client, BASE, {"source": "patrol", "title": "东门\x00路乱摆卖"})
    assert answer.status_code == 201, answer.content
    assert EnforcementCase.objects.get(number=answer.json()["number"]).title == "东门路乱摆卖"
