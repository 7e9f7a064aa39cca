"""Checking an enforcement case file (案卷) as it is now against what was sealed: the case's
hash-chained history (every act, 《行政处罚法》 第四十七条), each issued document's DOCX and PDF
bytes against their digests, each evidence file against its digest, and each evidence item taken
from a sealed waste evidence package against that package's chain digest.

``cityloop verify --only enforcement`` and ``GET /api/enforcement/cases/{number}/verify`` run it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import both, in_language
from cityloop.core.workflow.history import verify_chain
from cityloop.enforcement.history import HISTORY
from cityloop.enforcement.models import Document, EnforcementCase, EnforcementEvent, Evidence

PROBLEM_LABELS = {
    "row_digest": _("A history row differs from what was recorded: it was edited."),
    "row_chain": _(
        "A history row does not chain to the row before it: a row was removed, inserted or "
        "reordered."
    ),
    "head": _("The history ends elsewhere than the case says: its last rows were removed."),
    "document_missing": _("An issued document's file is missing."),
    "document_changed": _("An issued document's bytes differ from what was issued."),
    "evidence_missing": _("An evidence file is missing."),
    "evidence_changed": _("An evidence file's bytes differ from what was collected."),
    "package_changed": _(
        "The evidence package the item came from no longer has its sealed digest."
    ),
}


@dataclass
class Problem:
    case: str  # the case number
    what: str  # a key of PROBLEM_LABELS
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> Any:
        return PROBLEM_LABELS[self.what]

    def as_json(self) -> dict[str, Any]:
        return {"case": self.case, "what": self.what, "label": both(self.label), "data": self.data}

    def __str__(self) -> str:
        facts = ", ".join(f"{k}={v}" for k, v in self.data.items())
        return f"{self.case}: {self.what}: {in_language(self.label, 'en')} ({facts})"


@dataclass
class Report:
    cases: int = 0
    rows: int = 0
    documents: int = 0
    evidence: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "cases": self.cases,
            "rows": self.rows,
            "documents": self.documents,
            "evidence": self.evidence,
            "problems": [p.as_json() for p in self.problems],
        }

    def summary(self) -> str:
        counted = (
            f"{self.cases} enforcement cases, {self.rows} history rows, {self.documents} "
            f"documents, {self.evidence} evidence items"
        )
        if self.ok:
            return f"OK: {counted}, chains and digests intact"
        return f"BROKEN: {len(self.problems)} problems in {counted}; first: {self.problems[0]}"


def _file_sha256(name: str) -> str | None:
    if not name or not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_cases(
    cases: Iterable[EnforcementCase] | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 500,
) -> Report:
    """Check the files of ``cases`` (all when None); ``progress(done, total)`` after each chunk."""
    if cases is None:
        cases = EnforcementCase.objects.all()
    if hasattr(cases, "only"):
        cases = cases.only("pk", "number", "history_head").order_by("pk")
    chosen = list(cases)
    report = Report()
    total = len(chosen)
    for start in range(0, total, chunk):
        part = chosen[start : start + chunk]
        numbers = {c.pk: c.number for c in part}
        rows, breaks = verify_chain(HISTORY, part)
        report.rows += rows
        for found in breaks:
            data = dict(found.data)
            if found.row is not None:
                data["row"] = found.row
                data.setdefault(
                    "action",
                    EnforcementEvent.objects.filter(pk=found.row)
                    .values_list("action", flat=True)
                    .first(),
                )
            report.problems.append(Problem(numbers[found.record], found.what, data))
        _check_documents(part, numbers, report)
        _check_evidence(part, numbers, report)
        report.cases += len(part)
        if progress is not None:
            progress(report.cases, total)
    return report


def _check_documents(part: list[EnforcementCase], numbers: dict[Any, str], report: Report) -> None:
    for document in Document.objects.filter(case__in=part).order_by("case_id", "id"):
        report.documents += 1
        for name, sealed, fmt in (
            (document.docx.name, document.docx_sha256, "docx"),
            (document.pdf.name, document.pdf_sha256, "pdf"),
        ):
            if not sealed:
                continue  # a PDF not rendered yet
            now = _file_sha256(name)
            if now != sealed:
                report.problems.append(
                    Problem(
                        numbers[document.case_id],
                        "document_missing" if now is None else "document_changed",
                        {
                            "document": document.kind,
                            "number": document.number,
                            "format": fmt,
                            "revision": document.revision,
                        },
                    )
                )


def _check_evidence(part: list[EnforcementCase], numbers: dict[Any, str], report: Report) -> None:
    items = Evidence.objects.filter(case__in=part).select_related("package_item__package")
    for item in items.order_by("case_id", "number"):
        report.evidence += 1
        where = {"evidence": item.number}
        if item.file and item.sha256:
            now = _file_sha256(item.file.name)
            if now != item.sha256:
                what = "evidence_missing" if now is None else "evidence_changed"
                report.problems.append(Problem(numbers[item.case_id], what, where))
        package = item.package_item.package if item.package_item_id is not None else None
        if package is not None and item.chain_digest and package.digest != item.chain_digest:
            report.problems.append(Problem(numbers[item.case_id], "package_changed", where))


def verify_numbers(numbers: list[str], progress: Callable[[int, int], None]) -> Report:
    """``cityloop verify``'s enforcement check: all case files, or those ``numbers`` name."""
    from cityloop.core.management.commands.verify import unknown

    cases = EnforcementCase.objects.all()
    if numbers:
        cases = cases.filter(number__in=numbers)
        missing = set(numbers) - set(cases.values_list("number", flat=True))
        if missing:
            raise unknown("enforcement case", missing)
    return verify_cases(cases, progress=progress)
