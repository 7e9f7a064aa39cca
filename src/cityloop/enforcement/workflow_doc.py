"""docs/enforcement-workflow.md, written from the enforcement workflow (``cityloop workflow_doc
--write``)."""

from __future__ import annotations

from cityloop.core.workflow.docs import reference
from cityloop.enforcement.clocks import PERIODS
from cityloop.enforcement.services import CASES

HEADER = """# The workflow of an enforcement case 行政执法案件

Generated from `cityloop.enforcement.workflow.TRANSITIONS` and the kernel's write path
(`cityloop.core.workflow`) by `cityloop workflow_doc --write`; a test fails when this file and
the code disagree. docs/enforcement.md explains the procedure, the articles of
《中华人民共和国行政处罚法》 (2021) each rule comes from and what the bureau configures. Every
door (the API `POST /api/enforcement/cases/{number}/{action}`, the pages under
`/enforcement/`, the phone pages under `/m/enforcement/`) calls `enforcement_act`, which runs
these checks and writes one history row per act (`EnforcementEvent`).

"""


def _clocks() -> str:
    lines = [
        "## The statutory clocks",
        "",
        "Each is one stored, indexed row (`CaseClock`) per case, turned by `cityloop sweep`.",
        "",
        "| clock | period | article |",
        "|---|---|---|",
    ]
    for kind, (period, article) in PERIODS.items():
        lines.append(f"| `{kind}` | {period.amount} {period.unit.label} | {article} |")
    return "\n".join(lines) + "\n"


def enforcement_markdown() -> str:
    return reference(CASES, HEADER) + "\n" + _clocks()


DOCS = [("docs/enforcement-workflow.md", enforcement_markdown)]
