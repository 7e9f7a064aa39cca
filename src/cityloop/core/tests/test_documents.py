"""The document engine: a template's tags filled from a context, a broken template refused with
its problem named, amounts in words as financial documents write them, and a real PDF whose
text reads back."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from docx import Document

from cityloop.core.documents import (
    amount_in_words,
    docx_text,
    docx_to_pdf,
    pdf_text,
    plain,
    render_docx,
)
from cityloop.core.refusals import BadInput


def _template(*lines: str) -> bytes:
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "零元整"),
        (200, "贰佰元整"),
        (500, "伍佰元整"),
        (3000, "叁仟元整"),
        (10, "壹拾元整"),
        (105, "壹佰零伍元整"),
        (1005, "壹仟零伍元整"),
        (50000, "伍万元整"),
        (100500, "壹拾万零伍佰元整"),
        (1010000, "壹佰零壹万元整"),
        (Decimal("1234.56"), "壹仟贰佰叁拾肆元伍角陆分"),
        (Decimal("1234.50"), "壹仟贰佰叁拾肆元伍角"),
        (Decimal("1234.05"), "壹仟贰佰叁拾肆元零伍分"),
        (Decimal("0.30"), "叁角"),
        (100000000, "壹亿元整"),
        (100010000, "壹亿零壹万元整"),
    ],
)
def test_amounts_in_words(amount, words):
    assert amount_in_words(amount) == words


def test_a_template_is_filled_and_escaped():
    template = _template("当事人：{{ party.name }}", "{% for e in items %}{{ e }}；{% endfor %}")
    docx = render_docx(template, {"party": {"name": "甲 & 乙 <公司>"}, "items": ["一", "二"]})
    text = docx_text(docx)
    assert "当事人：甲 & 乙 <公司>" in text
    assert "一；二；" in text


def test_a_tag_the_context_lacks_is_refused_by_name():
    template = _template("{{ case.nmber }}")
    with pytest.raises(BadInput) as caught:
        render_docx(template, {"case": {"number": "ZF1"}}, name="penalty_decision.docx")
    assert caught.value.field == "template"
    message = str(caught.value.message)
    assert "penalty_decision.docx" in message and "nmber" in message


def test_a_malformed_tag_and_a_file_that_is_no_docx_are_refused():
    with pytest.raises(BadInput) as caught:
        render_docx(_template("{{ case.number "), {"case": {"number": "1"}})
    assert caught.value.code == "bad_template"
    with pytest.raises(BadInput) as caught:
        render_docx(b"%PDF-1.4 not a docx", {})
    assert caught.value.code == "bad_template"


@pytest.mark.libreoffice
def test_the_pdf_is_real_and_its_chinese_text_reads_back():
    docx = render_docx(_template("行政处罚决定书 {{ n }}", "罚款人民币伍佰元整"), {"n": "第1号"})
    pdf = docx_to_pdf(docx)
    assert pdf.startswith(b"%PDF")
    text = plain(pdf_text(pdf))
    assert "行政处罚决定书" in text and "第1号" in text and "伍佰元整" in text


def test_without_libreoffice_the_pdf_is_a_clear_refusal(settings, monkeypatch):
    monkeypatch.setattr("cityloop.core.documents.soffice", lambda: None)
    with pytest.raises(BadInput) as caught:
        docx_to_pdf(_template("x"))
    assert caught.value.code == "no_renderer"
    assert "libreoffice-writer-nogui" in str(caught.value.message)
