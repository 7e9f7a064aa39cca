"""The documents of a case, rendered from the shipped templates and checked against the case's
data: the penalty decision carries every element of 《行政处罚法》 第五十九条, the PDF's text is the
DOCX's, each issued version is kept with its digest, and the bureau's own template wins."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from docx import Document as Docx

from cityloop.core.documents import amount_in_words, docx_text, pdf_text, plain, render_docx
from cityloop.core.refusals import ActionRefused
from cityloop.enforcement.choices import Outcome, PartyKind
from cityloop.enforcement.documents import KINDS, TEMPLATE_DIR
from cityloop.enforcement.documents.context import context_for
from cityloop.enforcement.issuing import pdf_of
from cityloop.enforcement.models import Document, DocumentTemplate
from cityloop.enforcement.tests.conftest import ORG_CODE, local
from cityloop.enforcement.tests.test_procedures import _filed


def _decided(team):
    start = local(2024, 3, 4, 9, 0)
    case = _filed(team, start, kind=PartyKind.ORGANISATION)
    t = start + timedelta(days=1)
    case = team.act(
        team.a, case, "add_evidence", now=t, kind="inspection",
        description="现场检查笔录：投放点缺失 3 处", officers=[{"officer": team.b.pk}],
    )  # fmt: skip
    case = team.act(
        team.a, case, "conclude", now=t, outcome=Outcome.PENALTY, tier="general",
        fine=5000, officers=[{"officer": team.b.pk}],
    )  # fmt: skip
    case = team.act(team.leader, case, "approve_review", now=t)
    case = team.act(team.a, case, "notify", now=t, officers=[{"officer": team.c.pk}])
    case = team.act(team.a, case, "record_statement", now=t, waived=True)
    case = team.act(team.a, case, "close_notice", now=t)
    return team.act(team.leader, case, "decide", now=t, outcome=Outcome.PENALTY, fine=5000)


def _text(document: Document) -> str:
    with document.docx.open("rb") as handle:
        return plain(docx_text(handle.read()))


def test_the_penalty_decision_says_what_the_case_holds(team):
    case = _decided(team)
    document = Document.objects.get(case=case, kind="penalty_decision")
    text = _text(document)
    party, violation = case.party, case.violation
    # 第五十九条 (一) the party's name and address (an organisation: its credit code and
    # legal representative)
    assert party.name in text and ORG_CODE in text and "李四" in text
    # (二) the facts and the evidence
    assert plain(case.facts) in text and "现场检查笔录：投放点缺失3处" in text
    # (三) the penalty and its basis
    assert plain(violation.legal_basis) in text and plain(violation.penalty_basis) in text
    assert "罚款人民币伍仟元整（5,000.00元）" in text
    # (四) how and by when to pay; (五) review and litigation, with their time limits
    assert "十五日内" in text and "六十日内" in text and "六个月内" in text
    # (六) the agency and the date of the decision; the number by the bureau's scheme
    assert "深圳市罗湖区城市管理和综合执法局" in text and "2024年3月5日" in text
    assert document.number == "罗城管罚字〔2024〕第1号" and document.number in text
    assert case.number in text
    # Kept as issued, with its digest, and named in the decision's history row.
    with document.docx.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == document.docx_sha256
    row = case.events.get(action="decide")
    assert {"kind": "penalty_decision", "number": document.number}.items() <= row.data["documents"][
        0
    ].items()


@pytest.mark.libreoffice
def test_the_pdf_reads_as_the_docx(team):
    case = _decided(team)
    document = Document.objects.get(case=case, kind="penalty_decision")
    pdf = pdf_of(document)
    text = plain(pdf_text(pdf))
    for expected in (case.party.name, document.number, "伍仟元整", "六十日内", case.number):
        assert expected in text, expected
    document.refresh_from_db()
    assert document.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert pdf_of(document) == pdf  # rendered once, then kept


def test_every_shipped_template_renders_for_a_case(team):
    case = _decided(team)
    for kind in KINDS:
        context = context_for(case, kind, number="第1号", now=local(2024, 3, 6), data={})
        text = plain(docx_text(render_docx(TEMPLATE_DIR / f"{kind}.docx", context)))
        assert case.number in text, kind
        assert "{{" not in text and "{%" not in text, kind


def test_the_bureaus_own_template_is_used_and_a_broken_one_refused(team):
    own = Docx()
    own.add_paragraph("本局格式 {{ doc.title }} {{ doc.number }} {{ party.name }}")
    buffer = io.BytesIO()
    own.save(buffer)
    template = DocumentTemplate(kind="penalty_decision", active=True)
    template.file.save("own.docx", ContentFile(buffer.getvalue()), save=True)
    case = _decided(team)
    text = _text(Document.objects.get(case=case, kind="penalty_decision"))
    assert text.startswith("本局格式行政处罚决定书罗城管罚字〔2024〕第1号")

    broken = Docx()
    broken.add_paragraph("{{ party.nam }}")
    buffer = io.BytesIO()
    broken.save(buffer)
    DocumentTemplate.objects.update(active=False)
    template = DocumentTemplate(kind="closing_report", active=True)
    template.file.save("broken.docx", ContentFile(buffer.getvalue()), save=True)
    case.refresh_from_db()
    team.act(team.b, case, "serve", now=local(2024, 3, 6), method="in_person", recipient="李四",
             officers=[{"officer": team.c.pk}])  # fmt: skip
    team.act(team.a, case, "record_payment", now=local(2024, 3, 7), amount="5000")
    case.refresh_from_db()
    before = (case.version, case.state, case.events.count(), case.documents.count())
    with pytest.raises(ActionRefused) as caught:
        team.act(team.leader, case, "close", now=local(2024, 3, 8), summary="已缴清")
    assert caught.value.field == "template" and "party.nam" in str(caught.value.message)
    case.refresh_from_db()
    assert (case.version, case.state, case.events.count(), case.documents.count()) == before
    assert amount_in_words(case.fine) == "伍仟元整"
