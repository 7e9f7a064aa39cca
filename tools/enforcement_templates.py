# ruff: noqa: E501 (a document's sentences read best whole)
"""Writes the shipped default templates of the enforcement documents (执法文书), one DOCX per kind,
into src/cityloop/enforcement/documents/templates/. The bureau replaces any of them by uploading its
own (administration → enforcement → document templates); the tags are the contract of
docs/documents.md. Run: .venv/bin/python tools/enforcement_templates.py
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

OUT = Path(__file__).resolve().parent.parent / "src/cityloop/enforcement/documents/templates"
STAMP = datetime(2024, 1, 1, tzinfo=UTC)
FONT = "SimSun"  # 宋体; LibreOffice substitutes an installed CJK font where it is missing

HEAD = [("title",), ("number",)]
PARTY = [
    ("p", "当事人：{{ party.name }}（{{ party.kind }}）"),
    (
        "p",
        "{% if party.credit_code %}统一社会信用代码：{{ party.credit_code }}　法定代表人：{{ party.legal_representative }}{% else %}身份证号码：{{ party.id_number }}{% endif %}",
    ),
    ("p", "地址：{{ party.address }}　联系电话：{{ party.phone }}"),
]
OFFICERS = [
    (
        "p",
        "执法人员：{% for o in officers %}{{ o.name }}（执法证号 {{ o.credential }}）{% if not loop.last %}、{% endif %}{% endfor %}",
    ),
]
EVIDENCE_TABLE = (
    "table",
    ["序号", "证据种类", "证据内容", "取得日期"],
    ["{{ e.number }}", "{{ e.kind }}", "{{ e.description }}", "{{ e.collected_on }}"],
    "e in evidence",
)
SEAL = [("right", "{{ agency.name }}（印章）"), ("right", "{{ doc.issued_on }}")]
REMEDY = [("p", "{{ decision.reconsideration }}，{{ decision.litigation }}。")]

KINDS: dict[str, list[tuple]] = {
    "filing_approval": [
        *HEAD,
        ("p", "案件编号：{{ case.number }}　案由：{{ violation.name }}"),
        (
            "p",
            "案件来源：{{ case.source }}　发现地点：{{ case.place }}　违法行为发生日期：{{ case.occurred_on }}",
        ),
        *PARTY,
        ("p", "简要案情：{{ case.facts }}"),
        ("p", "法律依据：{{ violation.legal_basis }}"),
        *OFFICERS,
        ("p", "承办人意见：建议立案调查。"),
        ("p", "负责人审批意见：同意立案。　负责人：{{ case.approver }}　日期：{{ case.filed_on }}"),
        *SEAL,
    ],
    "interview_record": [
        *HEAD,
        ("p", "案件编号：{{ case.number }}　案由：{{ violation.name }}"),
        ("p", "询问时间：{{ interview.at }}　询问地点：{{ interview.place }}"),
        (
            "p",
            "被询问人：{{ interview.interviewee }}　询问人：{{ interview.interviewer }}　记录人：{{ interview.recorder }}",
        ),
        *PARTY,
        *OFFICERS,
        (
            "p",
            "执法人员向被询问人出示执法证件，告知其有如实回答询问、协助调查的义务，以及申请回避的权利。",
        ),
        ("loop", "qa in interview.qa", ["问：{{ qa.q }}", "答：{{ qa.a }}"]),
        ("p", "以上笔录已经被询问人核对无误。被询问人签名：　　　　　日期："),
    ],
    "inspection_record": [
        *HEAD,
        ("p", "案件编号：{{ case.number }}　案由：{{ violation.name }}"),
        ("p", "检查时间：{{ inspection.at }}　检查地点：{{ inspection.place }}"),
        ("p", "在场人员：{{ inspection.present }}"),
        *PARTY,
        *OFFICERS,
        ("p", "现场情况：{{ inspection.findings }}"),
        EVIDENCE_TABLE,
        ("p", "当事人或见证人签名：　　　　　执法人员签名："),
    ],
    "preservation_notice": [
        *HEAD,
        *PARTY,
        (
            "p",
            "本机关在调查{{ violation.name }}一案（案件编号 {{ case.number }}）中，因证据可能灭失或者以后难以取得，经本机关负责人批准，依据《中华人民共和国行政处罚法》第五十六条的规定，对下列物品予以先行登记保存：",
        ),
        (
            "table",
            ["物品名称", "数量"],
            ["{{ i.name }}", "{{ i.quantity }}"],
            "i in preservation.goods",
        ),
        (
            "p",
            "保存地点：{{ preservation.place }}。在先行登记保存期间，当事人或者有关人员不得损毁、销毁或者转移证据。本机关将于{{ preservation.decide_by }}前作出处理决定。",
        ),
        *OFFICERS,
        *SEAL,
    ],
    "prior_notice": [
        *HEAD,
        *PARTY,
        ("p", "经查，你（单位）{{ case.facts }}"),
        (
            "p",
            "上述行为违反了{{ violation.legal_basis }}的规定。依据{{ violation.penalty_basis }}的规定，本机关{{ notice.proposed }}。",
        ),
        (
            "p",
            "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）有权进行陈述和申辩，请于收到本告知书之日起{{ notice.statement_days }}个工作日内向本机关提出；逾期视为放弃陈述和申辩的权利。",
        ),
        (
            "p",
            "{% if notice.hearing_right %}根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有权要求听证，请于收到本告知书之日起{{ notice.hearing_days }}个工作日内向本机关提出。{% endif %}",
        ),
        ("p", "案件编号：{{ case.number }}"),
        *SEAL,
    ],
    "hearing_notice": [
        *HEAD,
        *PARTY,
        (
            "p",
            "你（单位）于{{ hearing.request_on }}就{{ violation.name }}一案（案件编号 {{ case.number }}）提出听证申请。根据《中华人民共和国行政处罚法》第六十四条的规定，本机关定于{{ hearing.at }}在{{ hearing.place }}举行听证，听证主持人：{{ hearing.host }}。",
        ),
        (
            "p",
            "你（单位）可以亲自参加听证，也可以委托一至二人代理；认为主持人与本案有直接利害关系的，有权申请回避。无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利。",
        ),
        *SEAL,
    ],
    "legal_review_opinion": [
        *HEAD,
        ("p", "案件编号：{{ case.number }}　案由：{{ violation.name }}"),
        *PARTY,
        ("p", "承办机构：{{ agency.name }}"),
        ("p", "违法事实：{{ case.facts }}"),
        (
            "p",
            "法律依据：{{ violation.legal_basis }}；处罚依据：{{ violation.penalty_basis }}；裁量情形：{{ violation.discretion }}",
        ),
        ("p", "拟处理意见：{{ notice.proposed }}"),
        ("p", "审核意见：{{ review.opinion }}"),
        (
            "p",
            "审核结论：{{ review.result }}　审核人：{{ review.reviewer }}　日期：{{ review.reviewed_on }}",
        ),
    ],
    "penalty_decision": [
        *HEAD,
        # 第五十九条 (一) the party's name and address
        *PARTY,
        # (二) the facts and the evidence
        (
            "p",
            "经查，当事人{{ case.facts }}（违法行为发生于{{ case.occurred_on }}，地点：{{ case.place }}）。",
        ),
        ("p", "以上事实有下列证据证明："),
        EVIDENCE_TABLE,
        # (三) the kind of penalty and its legal basis
        (
            "p",
            "当事人的上述行为违反了{{ violation.legal_basis }}的规定，依据{{ violation.penalty_basis }}的规定，本机关决定{{ decision.kind }}：{{ decision.penalty }}。",
        ),
        # (四) how and by when to comply
        ("p", "{{ decision.bank }}。"),
        # (五) the ways and time limits of review and litigation
        *REMEDY,
        # (六) the agency's name and the date of the decision
        ("p", "案件编号：{{ case.number }}"),
        ("right", "{{ agency.name }}（印章）"),
        ("right", "{{ decision.decided_on }}"),
    ],
    "on_the_spot_decision": [
        *HEAD,
        *PARTY,
        ("p", "违法事实：{{ case.facts }}（时间：{{ case.occurred_on }}，地点：{{ case.place }}）"),
        (
            "p",
            "当事人的上述行为违反了{{ violation.legal_basis }}的规定，依据{{ violation.penalty_basis }}及《中华人民共和国行政处罚法》第五十一条的规定，当场决定给予：{{ decision.penalty }}。",
        ),
        (
            "p",
            "{% if decision.amount %}罚款金额：{{ decision.amount }}（大写：{{ decision.amount_words }}），请于收到本决定书之日起{{ decision.payment_days }}日内到指定银行或者通过电子支付系统缴纳；依据第六十八条当场收缴的，当场出具专用票据。{% endif %}",
        ),
        *REMEDY,
        *OFFICERS,
        ("p", "案件编号：{{ case.number }}　当事人签名：　　　　　日期：{{ doc.issued_on }}"),
        *SEAL,
    ],
    "service_receipt": [
        *HEAD,
        (
            "table",
            ["送达文书", "案件编号", "受送达人", "送达地点"],
            [
                "{{ service.document }}",
                "{{ case.number }}",
                "{{ party.name }}",
                "{{ service.place }}",
            ],
            None,
        ),
        ("p", "送达方式：{{ service.method }}　送达时间：{{ service.served_at }}"),
        ("p", "收件人：{{ service.recipient }}　送达人：{{ service.server }}"),
        ("p", "收件人签名：　　　　　（留置送达的，由见证人签名并注明情况）"),
        *SEAL,
    ],
    "reminder": [
        *HEAD,
        *PARTY,
        (
            "p",
            "本机关于{{ decision.decided_on }}对你（单位）作出行政处罚决定（案件编号 {{ case.number }}），罚款{{ reminder.amount }}，缴纳期限至{{ reminder.pay_by }}。你（单位）逾期未履行。",
        ),
        (
            "p",
            "依据《中华人民共和国行政处罚法》第七十二条和《中华人民共和国行政强制法》第三十五条、第四十五条的规定，现催告你（单位）于收到本催告书之日起十日内缴纳罚款及加处罚款{{ reminder.surcharge }}，合计{{ reminder.total }}。你（单位）有权进行陈述和申辩。逾期仍未履行的，本机关将依法申请人民法院强制执行。",
        ),
        *SEAL,
    ],
    "closing_report": [
        *HEAD,
        (
            "p",
            "案件编号：{{ case.number }}　案由：{{ violation.name }}　程序：{{ case.procedure }}",
        ),
        *PARTY,
        ("p", "立案日期：{{ case.filed_on }}　决定日期：{{ decision.decided_on }}"),
        (
            "p",
            "处理结果：{{ closing.result }}{% if decision.penalty %}：{{ decision.penalty }}{% endif %}",
        ),
        ("p", "执行情况：{{ closing.summary }}"),
        *OFFICERS,
        ("p", "结案日期：{{ closing.closed_on }}"),
        *SEAL,
    ],
}


def _font(run, size: int = 12, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _paragraph(document, text: str, align=None, size: int = 12, bold: bool = False):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    _font(paragraph.add_run(text), size, bold)
    return paragraph


def build(kind: str, spec: list[tuple]) -> Document:
    document = Document()
    for item in spec:
        match item:
            case ("title",):
                _paragraph(document, "{{ agency.name }}", WD_ALIGN_PARAGRAPH.CENTER, 16, True)
                _paragraph(document, "{{ doc.title }}", WD_ALIGN_PARAGRAPH.CENTER, 18, True)
            case ("number",):
                _paragraph(document, "{{ doc.number }}", WD_ALIGN_PARAGRAPH.RIGHT)
            case ("p", text):
                _paragraph(document, text)
            case ("right", text):
                _paragraph(document, text, WD_ALIGN_PARAGRAPH.RIGHT)
            case ("loop", over, lines):
                _paragraph(document, "{%p for " + over + " %}")
                for line in lines:
                    _paragraph(document, line)
                _paragraph(document, "{%p endfor %}")
            case ("table", header, cells, over):
                rows = 2 if over is None else 4
                table = document.add_table(rows=rows, cols=len(header))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, header, strict=True):
                    _font(cell.paragraphs[0].add_run(text), 11, True)
                body = 1 if over is None else 2
                for cell, text in zip(table.rows[body].cells, cells, strict=True):
                    _font(cell.paragraphs[0].add_run(text), 11)
                if over is not None:
                    _font(table.rows[1].cells[0].paragraphs[0].add_run("{%tr for " + over + " %}"))
                    _font(table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}"))
            case _:
                raise ValueError(f"{kind}: unknown item {item!r}")
    return document


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for number, (kind, spec) in enumerate(KINDS.items(), 1):
        path = OUT / f"{kind}.docx"
        document = build(kind, spec)
        document.core_properties.title = kind
        document.core_properties.author = "CityLoop"
        document.core_properties.created = STAMP  # the same bytes on every run
        document.core_properties.modified = STAMP
        document.core_properties.last_modified_by = "CityLoop"
        document.save(path)
        print(f"[{number}/{len(KINDS)}] {path.relative_to(OUT.parents[3])}")
    print(f"wrote {len(KINDS)} templates to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
