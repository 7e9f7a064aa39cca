"""Browser test of the enforcement pages: the simple procedure on the officer's phone page
(a clue on patrol, then the on-the-spot decision with its numbered 当场处罚决定书) and the
ordinary procedure through the pages (a clue registered, proposed for filing on the case
page's HTMX form, approved from the person in charge's queue; then a filed case from evidence
to archive, each act on the case page by the role that takes it); no CSP refusal.
Screenshots go to var/screenshots/enforcement-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cityloop.enforcement.choices import EnforcementState, Procedure
from cityloop.enforcement.models import Document, EnforcementCase
from cityloop.enforcement.tests.conftest import PERSON_ID
from cityloop.web.tests.conftest import shoot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CSP_WORDS = ("Content Security Policy", "Content-Security-Policy")
S = EnforcementState


def _as(pages, user, size="desktop"):
    """A page signed in as ``user`` (the session made by Django's test client)."""
    client = Client()
    client.force_login(user)
    page = pages.open(size)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": pages.base_url}]
    )
    return page


def _fill_party_and_facts(page, team, scope: str) -> None:
    yesterday = timezone.localtime(timezone.now() - timedelta(hours=2))
    page.select_option(f"{scope} select[name=party_kind]", "person")
    page.fill(f"{scope} input[name=party_name]", "张三")
    page.fill(f"{scope} input[name=party_identity]", PERSON_ID)
    page.fill(f"{scope} input[name=party_phone]", "13800138000")
    page.select_option(f"{scope} select[name=violation]", str(team.violation("GS-01").pk))
    page.fill(f"{scope} input[name=occurred_at]", yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.fill(f"{scope} [name=facts]", "未按规定分类投放生活垃圾")
    page.select_option(f"{scope} select[name=officers]", [str(team.b.pk)])


def test_on_the_spot_on_the_phone_and_an_ordinary_case_filed_through_the_pages(team, pages):
    # 简易程序 on the phone: a clue on patrol, then the decision on the spot
    page = _as(pages, team.a, "phone")
    page.goto("/enforcement/phone/")
    page.fill(".clue-form input[name=title]", "东门路乱扔垃圾")
    page.fill(".clue-form input[name=place]", "东门路 8 号")
    page.click(".clue-form button[type=submit]")
    page.wait_for_selector("#phone-act form[data-action=on_the_spot]")
    _fill_party_and_facts(page, team, "#phone-act")
    page.fill("#phone-act input[name=fine]", "50")
    shoot(page, "enforcement-phone-on-the-spot", sizes=("phone",))
    page.click("#phone-act button[type=submit]")
    page.wait_for_selector("#phone-act .done")
    spot = EnforcementCase.objects.get(title="东门路乱扔垃圾")
    assert spot.procedure == Procedure.SIMPLE and spot.state == S.EXECUTION
    issued = Document.objects.get(case=spot, kind="on_the_spot_decision")
    assert page.inner_text("#phone-act .doc-number") == issued.number
    shoot(page, "enforcement-phone-decided", sizes=("phone",))

    # 普通程序: registered on the desktop, proposed for filing on the case page
    page = _as(pages, team.a)
    page.goto("/enforcement/clues/new/")
    page.fill(".clue-form input[name=title]", "某小区未设分类投放点")
    page.click(".clue-form button[type=submit]")
    case = EnforcementCase.objects.get(title="某小区未设分类投放点")
    page.wait_for_selector(f"#ecase-{case.number}[data-state=registered]")
    page.click(f"#ecase-{case.number} [data-action=propose_filing]")
    page.wait_for_selector(f"#action-{case.number} form[data-action=propose_filing]")
    _fill_party_and_facts(page, team, f"#action-{case.number}")
    page.select_option(f"#action-{case.number} select[name=officers]", [])  # alone: refused
    page.click(f"#action-{case.number} button[type=submit]")
    page.wait_for_selector(f"#action-{case.number} .field-error[data-field=officers]")
    assert EnforcementCase.objects.get(pk=case.pk).state == S.REGISTERED
    page.select_option(f"#action-{case.number} select[name=officers]", [str(team.b.pk)])
    page.click(f"#action-{case.number} button[type=submit]")
    page.wait_for_selector(f"#ecase-{case.number}[data-state=filing]")
    shoot(page, "enforcement-case")

    # the person in charge approves it from the approvals queue
    page = _as(pages, team.leader)
    page.goto("/enforcement/approvals/")
    page.click(f"#queue-filing #ecase-{case.number} [data-action=approve_filing]")
    page.wait_for_selector(f"#action-{case.number} form[data-action=approve_filing]")
    page.click(f"#action-{case.number} button[type=submit]")
    page.wait_for_selector(f"#ecase-{case.number}[data-state=investigating]")
    assert EnforcementCase.objects.get(pk=case.pk).filed_at is not None
    shoot(page, "enforcement-approvals")
    page.goto("/enforcement/")
    shoot(page, "enforcement-workbench")
    assert not [e for e in pages.console_errors if any(w in e for w in CSP_WORDS)]


def test_an_ordinary_case_from_investigation_to_archive_through_the_case_page(team, pages):
    """普通程序 to its end on the pages: evidence, conclusion, case review, notice (the party
    waives), decision with its numbered 处罚决定书, service, payment, closing and archive."""
    from cityloop.enforcement.tests.test_procedures import _filed

    case = _filed(team, timezone.now() - timedelta(hours=3), violation="GS-01", kind="person")
    assert case.state == S.INVESTIGATING
    number = case.number
    officers = [str(team.b.pk)]
    signed_in = {}  # one page per user, signed in once

    def act(user, action, fill=None, state=None):
        page = signed_in.get(user.pk) or signed_in.setdefault(user.pk, _as(pages, user))
        page.goto(f"/enforcement/cases/{number}/")
        version = EnforcementCase.objects.get(pk=case.pk).version
        page.click(f"#ecase-{number} [data-action={action}]")
        scope = f"#action-{number}"
        page.wait_for_selector(f"{scope} form[data-action={action}]")
        if fill is not None:
            fill(page, scope)
        page.click(f"{scope} button[type=submit]")
        page.wait_for_selector(f"#ecase-{number}[data-version='{version + 1}']")
        now = EnforcementCase.objects.get(pk=case.pk)
        assert state is None or now.state == state, (action, now.state)
        return page

    def evidence(page, scope):
        page.select_option(f"{scope} select[name=kind]", "inspection")
        page.fill(f"{scope} [name=description]", "现场检查笔录：混投生活垃圾")
        page.select_option(f"{scope} select[name=officers]", officers)

    def conclusion(page, scope):
        page.select_option(f"{scope} select[name=outcome]", "penalty")
        page.select_option(f"{scope} select[name=tier]", "general")
        page.fill(f"{scope} input[name=fine]", "50")
        page.select_option(f"{scope} select[name=officers]", officers)

    def decision(page, scope):
        page.select_option(f"{scope} select[name=outcome]", "penalty")
        page.fill(f"{scope} input[name=fine]", "50")

    def service(page, scope):
        page.select_option(f"{scope} select[name=method]", "in_person")
        page.fill(f"{scope} input[name=recipient]", "张三")
        page.select_option(f"{scope} select[name=officers]", officers)

    act(team.a, "add_evidence", evidence, S.INVESTIGATING)
    act(team.a, "conclude", conclusion, S.CASE_REVIEW)
    act(team.leader, "approve_review", None, S.REVIEWED)
    act(team.a, "notify", lambda p, s: p.select_option(f"{s} select[name=officers]", officers))
    act(team.a, "record_statement", lambda p, s: p.check(f"{s} input[name=waived]"), S.NOTICE)
    act(team.a, "close_notice", None, S.DECIDING)
    page = act(team.leader, "decide", decision, S.DECIDED)
    decided = Document.objects.get(case=case, kind="penalty_decision")
    page.goto(f"/enforcement/cases/{number}/")
    assert decided.number in page.inner_text(f"#ecase-{number}")
    shoot(page, "enforcement-decided")
    act(team.a, "serve", service, S.EXECUTION)
    act(team.a, "record_payment", lambda p, s: p.fill(f"{s} input[name=amount]", "50"))
    act(team.leader, "close", lambda p, s: p.fill(f"{s} [name=summary]", "罚款已缴清"), S.CLOSED)
    page = act(team.a, "archive", None, S.ARCHIVED)
    actions = list(EnforcementCase.objects.get(pk=case.pk).events.values_list("action", flat=True))
    assert actions[-1] == "archive" and "decide" in actions and "serve" in actions
    shoot(page, "enforcement-archived")
    assert not [e for e in pages.console_errors if any(w in e for w in CSP_WORDS)]
