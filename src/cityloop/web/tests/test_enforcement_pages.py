"""The enforcement pages 行政执法 (/enforcement/): scoping (another street's officer gets 404),
the party masked unless the user may see it, actions through the kernel's forms (a refused
one shows its error under its field and changes nothing), the clue form, the queues, the
phone pages and the supervision figures; query counts that do not grow with the rows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cityloop.enforcement.choices import EnforcementState
from cityloop.enforcement.models import Document, EnforcementCase, EnforcementEvent, Evidence, Party
from cityloop.enforcement.tests.conftest import PERSON_ID
from cityloop.web.tests.enforcement_helpers import (
    HX,
    filed,
    in_legal_review,
    other_streets_clue,
    proposed,
)
from cityloop.web.tests.staff_helpers import photo

S = EnforcementState
pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case_url(case, name="web:enforcement-case", *args):
    return reverse(name, args=[case.number, *args])


def _state(case):
    row = EnforcementCase.objects.get(pk=case.pk)
    return row.state, row.version, row.events.count()


# --- scoping ---------------------------------------------------------------------------------
def test_the_workbench_lists_the_streets_cases_and_the_bureau_sees_all(team):
    ours = team.clue(title="东门路乱摆卖")
    theirs = other_streets_clue(team, title="南湖路占道经营")

    mine = _client(team.c).get(reverse("web:enforcement") + "?tab=all")
    bureau = _client(team.chief).get(reverse("web:enforcement") + "?tab=all")

    assert mine.status_code == 200
    assert ours.number in mine.content.decode() and theirs.number not in mine.content.decode()
    assert ours.number in bureau.content.decode() and theirs.number in bureau.content.decode()


def test_another_streets_officer_gets_404_on_the_case_its_actions_and_its_files(team):
    case = filed(team)
    document = Document.objects.filter(case=case).first()
    client = _client(team.other)

    urls = [
        _case_url(case),
        _case_url(case, "web:enforcement-action", "add_evidence"),
        _case_url(case, "web:enforcement-phone-act", "add_evidence"),
        reverse("web:enforcement-document", args=[case.number, document.pk, "pdf"]),
    ]

    assert [client.get(u).status_code for u in urls] == [404, 404, 404, 404]
    response = client.post(
        _case_url(case, "web:enforcement-action", "add_evidence"),
        {"version": case.version, "kind": "document", "description": "x"},
    )
    assert response.status_code == 404
    assert _state(case)[1] == case.version


def test_a_user_without_an_enforcement_role_is_refused_and_has_no_nav_entry(team):
    handler = team.tiny.users["street"]
    officer_home = _client(team.a).get(reverse("web:enforcement"))

    assert _client(handler).get(reverse("web:enforcement")).status_code == 403
    assert 'href="/enforcement/"' in officer_home.content.decode()
    assert 'href="/enforcement/"' not in _client(handler).get("/cases/").content.decode()


# --- masking ---------------------------------------------------------------------------------
def test_the_party_is_masked_unless_the_user_may_see_it(team):
    case = proposed(team)  # officers a and b; c is of the street but not on the case
    masked = "440303" + "*" * 8 + PERSON_ID[-4:]

    seen = {
        name: _client(user).get(_case_url(case)).content.decode()
        for name, user in {"a": team.a, "c": team.c, "reviewer": team.reviewer}.items()
    }

    assert PERSON_ID in seen["a"] and "13800138000" in seen["a"]
    assert PERSON_ID not in seen["c"] and "13800138000" not in seen["c"]
    assert masked in seen["c"] and "138****8000" in seen["c"]
    assert PERSON_ID in seen["reviewer"]


# --- actions ---------------------------------------------------------------------------------
def _propose_form(team, case, **over):
    data = {
        "version": case.version,
        "party_kind": "person",
        "party_name": "张三",
        "party_identity": PERSON_ID,
        "party_phone": "13800138000",
        "violation": team.violation("GS-01").pk,
        "occurred_at": _yesterday(),
        "facts": "未按规定分类投放生活垃圾",
        "officers": [team.b.pk],
    }
    data.update(over)
    return data


def test_an_action_form_offers_the_rows_inputs_and_taking_it_moves_the_case(team):
    case = team.clue()
    client = _client(team.a)
    url = _case_url(case, "web:enforcement-action", "propose_filing")

    form = client.get(url, **HX)
    response = client.post(url, _propose_form(team, case, occurred_at="2099-01-01T09:00"), **HX)
    # the act in the future is refused on its field; then a good date moves the case
    assert 'name="party_identity"' in form.content.decode()
    assert 'data-field="occurred_at"' in response.content.decode()
    response = client.post(url, _propose_form(team, case, occurred_at=_yesterday()), **HX)

    assert response.status_code == 200
    assert EnforcementCase.objects.get(pk=case.pk).state == S.FILING
    assert f'id="ecase-{case.number}"' in response.content.decode()


def _yesterday() -> str:
    return timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def test_a_refused_action_shows_the_error_under_its_field_and_changes_nothing(team):
    case = team.clue()
    before = _state(case)
    url = _case_url(case, "web:enforcement-action", "propose_filing")

    # one officer alone (第四十二条): the refusal names the officers field
    response = _client(team.a).post(url, _propose_form(team, case, officers=[]), **HX)

    body = response.content.decode()
    assert response.status_code == 200  # HTMX swaps the form with its error in place
    assert 'data-field="officers"' in body and "第四十二条" in body
    assert _state(case) == before
    assert not Party.objects.filter(identity=PERSON_ID).exists()


def test_on_the_spot_over_the_limit_is_refused_on_the_fine_and_changes_nothing(team):
    case = team.clue()
    before = _state(case)
    data = _propose_form(team, case, occurred_at=_yesterday(), fine=201)

    response = _client(team.a).post(
        _case_url(case, "web:enforcement-phone-act", "on_the_spot"), data
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert 'data-field="fine"' in body and "第五十一条" in body
    assert _state(case) == before


def test_an_action_not_open_to_the_user_is_refused_with_the_state_now(team):
    case = proposed(team)

    response = _client(team.a).post(
        _case_url(case, "web:enforcement-action", "approve_filing"), {"version": case.version}
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert '<div class="refused" role="alert" data-state="filing"' in body
    assert _state(case)[0] == S.FILING


def test_an_action_on_a_page_older_than_the_case_says_it_changed(team):
    case = proposed(team)

    response = _client(team.leader).post(
        _case_url(case, "web:enforcement-action", "approve_filing"),
        {"version": case.version - 1},
    )

    assert response.status_code == 409
    assert '<div class="refused changed" role="alert"' in response.content.decode()
    assert _state(case)[0] == S.FILING


def test_the_case_page_shows_clocks_documents_timeline_and_only_the_users_actions(team):
    case = filed(team)

    officer = _client(team.a).get(_case_url(case)).content.decode()
    leader = _client(team.leader).get(_case_url(case)).content.decode()

    assert 'class="clock-row-running"' in officer and "第六十条" in officer  # the 90 days
    document = Document.objects.get(case=case, kind="filing_approval")
    assert reverse("web:enforcement-document", args=[case.number, document.pk, "pdf"]) in officer
    assert officer.count('<li data-event="') == 3  # registered, proposed, filed
    assert 'data-action="add_evidence"' in officer and 'data-action="conclude"' in officer
    assert 'data-action="add_evidence"' not in leader and 'data-action="preserve"' in leader


def test_a_document_downloads_as_docx_and_as_pdf(team):
    case = filed(team)
    document = Document.objects.get(case=case, kind="filing_approval")
    client = _client(team.a)

    docx = client.get(reverse("web:enforcement-document", args=[case.number, document.pk, "docx"]))
    pdf = client.get(reverse("web:enforcement-document", args=[case.number, document.pk, "pdf"]))

    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    assert pdf["Content-Type"] == "application/pdf"


# --- the clue form ---------------------------------------------------------------------------
def test_a_clue_is_registered_for_the_officers_street_only(team):
    client = _client(team.a)
    url = reverse("web:enforcement-clue")
    data = {
        "unit": team.street.code,
        "source": "patrol",
        "title": "春风路乱堆放",
        "place": "春风路",
    }

    elsewhere = client.post(url, {**data, "unit": team.tiny.streets["002"].code})
    response = client.post(url, data)

    assert elsewhere.status_code == 422 and 'data-field="unit"' in elsewhere.content.decode()
    case = EnforcementCase.objects.get(title="春风路乱堆放")
    assert response.status_code == 302 and response["Location"] == _case_url(case)
    assert case.unit == team.street and case.state == S.REGISTERED
    assert EnforcementCase.objects.count() == 1


# --- the queues ------------------------------------------------------------------------------
def test_the_approvals_queue_shows_the_proposals_with_their_approval(team):
    waiting = proposed(team)
    clue = team.clue(title="未提请立案")

    body = _client(team.leader).get(reverse("web:enforcement-approvals")).content.decode()

    assert 'id="queue-filing"' in body and waiting.number in body and clue.number not in body
    assert f"/enforcement/cases/{waiting.number}/act/approve_filing/?row=queue" in body
    assert _client(team.a).get(reverse("web:enforcement-approvals")).status_code == 403


def test_approving_from_the_queue_returns_the_row_in_its_new_state(team):
    case = proposed(team)

    response = _client(team.leader).post(
        _case_url(case, "web:enforcement-action", "approve_filing"),
        {"version": case.version, "row": "queue"},
        **HX,
    )

    body = response.content.decode()
    assert EnforcementCase.objects.get(pk=case.pk).state == S.INVESTIGATING
    assert 'class="work-row' in body and 'data-state="investigating"' in body


def test_the_legal_review_queue_lists_the_cases_in_review_for_reviewers(team):
    reviewed = in_legal_review(team)
    other = proposed(team)

    body = _client(team.reviewer).get(reverse("web:enforcement-review")).content.decode()

    assert reviewed.number in body and other.number not in body
    assert 'data-action="pass_legal_review"' in body and 'data-action="fail_legal_review"' in body
    assert _client(team.a).get(reverse("web:enforcement-review")).status_code == 403


# --- the phone pages -------------------------------------------------------------------------
def test_evidence_with_photos_from_the_phone_is_kept_with_its_digest(team):
    case = filed(team)
    url = _case_url(case, "web:enforcement-phone-act", "add_evidence")
    client = _client(team.a)

    page = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "version": case.version,
            "kind": "photo",
            "description": "现场照片",
            "officers": [team.b.pk],
            "photos": [photo("a.jpg"), photo("b.jpg")],
        },
    )

    assert 'accept="image/*"' in page and 'capture="environment"' in page
    assert response.status_code == 200 and 'class="ok done"' in response.content.decode()
    items = list(Evidence.objects.filter(case=case).order_by("number"))
    assert [e.kind for e in items] == ["photo", "photo"] and all(len(e.sha256) == 64 for e in items)
    shown = client.get(_case_url(case)).content.decode()
    assert shown.count(reverse("web:enforcement-evidence", args=[case.number, items[0].pk])) == 2


def test_a_photo_evidence_without_a_photo_is_refused_on_the_photo_input(team):
    case = filed(team)
    before = _state(case)

    response = _client(team.a).post(
        _case_url(case, "web:enforcement-phone-act", "add_evidence"),
        {"version": case.version, "kind": "photo", "description": "x", "officers": [team.b.pk]},
    )

    assert response.status_code == 422 and 'data-field="photos"' in response.content.decode()
    assert _state(case) == before


def test_the_phone_registers_a_clue_and_goes_to_its_on_the_spot_form(team):
    response = _client(team.a).post(
        reverse("web:enforcement-phone"),
        {"unit": team.street.code, "source": "patrol", "title": "人民南路乱扔垃圾"},
    )

    case = EnforcementCase.objects.get(title="人民南路乱扔垃圾")
    assert response.status_code == 302
    assert response["Location"] == _case_url(case, "web:enforcement-phone-act", "on_the_spot")


# --- supervision -----------------------------------------------------------------------------
def test_supervision_counts_by_street_procedure_and_review_and_sums_the_fines(team):
    on_spot = team.clue()
    team.act(
        team.a,
        on_spot,
        "on_the_spot",
        violation=team.violation("GS-01").pk,
        occurred_at=timezone.now() - timedelta(hours=1),
        facts="未分类投放",
        fine=50,
        officers=[{"officer": team.b.pk}],
        **team.party(),
    )
    reviewed = in_legal_review(team)
    team.act(team.reviewer, reviewed, "fail_legal_review", comment="证据不足")
    team.clue(title="仅为线索")
    other_streets_clue(team, title="他街线索")

    chief = _client(team.chief).get(reverse("web:enforcement-supervision")).content.decode()
    figures = _figures(chief)

    assert figures["cases"] == "2" and figures["clues"] == "4" and figures["fines"] == "50.00"
    assert figures["review"] == "0.0%"
    assert _table(chief, "procedure") == [["1", "0.00"], ["1", "50.00"]]  # ordinary, simple
    assert _table(chief, "street") == [["街道001", "2", "2", "50.00"]]
    # The annual report's figures in its own words: the on-the-spot decision and the filed case
    # in review are handled cases, only the decided one a garbage-sorting penalty; clues are not.
    assert "全区办理行政执法案件2宗；办理垃圾分类行政处罚案件1宗" in chief
    assert "/api/enforcement/figures.xlsx?start=" in chief
    assert _client(team.a).get(reverse("web:enforcement-supervision")).status_code == 403


def _table(html: str, name: str) -> list[list[str]]:
    """A figures table's body rows, the label dropped where the table's label is a choice."""
    body = re.search(rf'data-table="{name}">.*?<tbody>(.*?)</tbody>', html, flags=re.S).group(1)
    rows = [re.findall(r"<td>([^<]*)</td>", tr) for tr in re.findall(r"<tr>(.*?)</tr>", body)]
    return [r if name == "street" else r[1:] for r in rows]


def _figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)"><span class="n">([^<]*)</span>', html, flags=re.S))


# --- query counts ----------------------------------------------------------------------------
def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_workbench_and_approvals_do_not_grow_their_queries_with_their_rows(team):
    proposed(team)
    leader = _client(team.leader)
    urls = [reverse("web:enforcement") + "?tab=all", reverse("web:enforcement-approvals")]
    one = [_queries(leader, u) for u in urls]

    for _ in range(3):
        proposed(team)

    assert [_queries(leader, u) for u in urls] == one


def test_the_history_rows_are_shown_in_order(team):
    case = proposed(team)

    body = _client(team.a).get(_case_url(case)).content.decode()

    actions = list(
        EnforcementEvent.objects.filter(case=case)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    positions = [body.index(f'<li data-event="{a}">') for a in actions]
    assert actions == ["register", "propose_filing"] and positions == sorted(positions)


def test_the_90_day_clock_acts_are_offered_as_the_clock_allows(team):
    case = filed(team)
    leader = _client(team.leader)

    running = leader.get(_case_url(case)).content.decode()
    team.act(team.leader, case, "suspend_clock", comment="等待鉴定")
    suspended = leader.get(_case_url(case)).content.decode()
    queue = leader.get(reverse("web:enforcement-approvals")).content.decode()

    assert 'data-action="suspend_clock"' in running and 'data-action="extend"' in running
    assert 'data-action="resume_clock"' not in running
    assert 'data-action="resume_clock"' in suspended
    assert 'data-action="suspend_clock"' not in suspended
    assert 'id="queue-suspended"' in queue and case.number in queue


def test_the_case_page_does_not_grow_its_queries_with_evidence_and_history(team):
    case = filed(team)
    client = _client(team.a)
    url = _case_url(case)
    add = {"kind": "inspection", "description": "现场检查", "officers": [{"officer": team.b.pk}]}
    case = team.act(team.a, case, "add_evidence", **add)
    one = _queries(client, url)

    for _ in range(3):
        case = team.act(team.a, case, "add_evidence", **add)

    assert _queries(client, url) == one
