"""Enforcement (行政执法办案): the annual report's figures over the demo's enforcement year,
beside a plain COUNT over the same rows; a penalty decision rendered as DOCX (one, and the
rate over many) beside a bare docxtpl render; and its PDF by LibreOffice, alone and in a batch.

Its own database (a temporary directory): the demo district, a reduced closed-loop year (the
figures count closed-loop cases too) and the full enforcement year of ``cityloop demo``.
Without LibreOffice the bench fails: the PDF is part of what is measured.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date

VAR = tempfile.mkdtemp(prefix="cityloop-bench-enforcement-")
os.environ["CITYLOOP_VAR_DIR"] = VAR  # before Django reads its settings
os.environ.pop("CITYLOOP_DATABASE_URL", None)

from common import setup_django  # noqa: E402 (after the environment above)

UNTIL = date(2026, 12, 1)
LOOP_CASES = 20_000  # the closed-loop year, reduced (the full one is about 95,000)
RUNS = 7
GOAL_MS = 1000  # a decision document in under a second


def _median_ms(work: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def build() -> None:
    from django.core.management import call_command

    from cityloop.core.progress import Progress
    from cityloop.demo.builder import build_demo
    from cityloop.demo.enforcement import generate_enforcement
    from cityloop.demo.history import generate_history

    call_command("migrate", verbosity=0)
    quiet = Progress(io.StringIO())
    started = time.perf_counter()
    build_demo(progress=quiet)
    generate_history(seed=7, until=UNTIL, cases=LOOP_CASES, progress=quiet)
    summary = generate_enforcement(seed=7, until=UNTIL, progress=quiet)
    took = time.perf_counter() - started
    print(
        f"# built: {summary.line()}; the district and {LOOP_CASES:,} closed-loop cases first, {took:.0f} s in all"
    )


def bench_figures() -> None:
    from django.db.models import Q

    from cityloop.categories.models import MinorCategory
    from cityloop.enforcement import figures
    from cityloop.enforcement.models import EnforcementCase, EnforcementEvent
    from cityloop.events.choices import DONE_STATES
    from cityloop.events.models import Case

    start, end = (
        date(UNTIL.year - 1, UNTIL.month, UNTIL.day),
        date.fromordinal(UNTIL.toordinal() - 1),
    )
    figs = figures.figures(start, end)
    took = _median_ms(lambda: figures.figures(start, end))
    period = figures.window(start, end)
    codes = Q()
    for pairs in figures.CLOSED_LOOP_CATEGORIES.values():
        for major, minor in pairs:
            codes |= Q(major__code=major, code=minor)

    def plain() -> int:
        # The same rows, counted without grouping or conditions: the enforcement cases the
        # period touches and the closed-loop cases of the mapped categories closed in it.
        ids = list(
            MinorCategory.objects.filter(codes, major__kind=figures.CLOSED_LOOP_KIND).values_list(
                "pk", flat=True
            )
        )
        reviewed = EnforcementEvent.objects.filter(period.of("at"), action="pass_legal_review")
        touched = (
            period.of("filed_at") | period.of("decided_at") | Q(pk__in=reviewed.values("case"))
        )
        loop = Case.objects.filter(
            period.of("closed_at"), state__in=DONE_STATES, category_id__in=ids
        )
        return EnforcementCase.objects.filter(touched).count() + loop.count()

    rows = plain()
    baseline = _median_ms(plain)
    print(
        f"enforcement statistics ({len(figs)} figures, year): {took:.1f} ms vs plain COUNT over the "
        f"same rows ({rows:,}) {baseline:.1f} ms, ratio {took / baseline:.1f}"
    )
    print(f"enforcement figures of the demo year: {figures.sentence(figs)}")


def _bare_template() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("{{ name }}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _bare_render(template: bytes) -> bytes:
    from docxtpl import DocxTemplate

    document = DocxTemplate(io.BytesIO(template))
    document.render({"name": "罗湖区城市管理和综合执法局"})
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def bench_documents() -> None:
    from cityloop.core.documents import (
        docx_batch_to_pdf,
        docx_to_pdf,
        pdf_text,
        render_docx,
        renderer_available,
    )
    from cityloop.enforcement.documents.context import context_for
    from cityloop.enforcement.issuing import template_of
    from cityloop.enforcement.models import EnforcementCase

    if not renderer_available():
        print(
            "enforcement bench: LibreOffice (soffice) is not installed: no PDF can be measured",
            file=sys.stderr,
        )
        raise SystemExit(1)
    decided = list(
        EnforcementCase.objects.filter(procedure="ordinary", outcome="penalty", fine__gt=0)
        .select_related("unit", "party", "violation")
        .order_by("decided_at")[:30]
    )
    template, name = template_of("penalty_decision")

    def decision(case) -> bytes:
        number = f"罗城管罚字〔{case.decided_at.year}〕第{case.pk}号"
        context = context_for(case, "penalty_decision", number=number, now=case.decided_at, data={})
        return render_docx(template, context, name=name)

    bare = _bare_template()
    one = _median_ms(lambda: decision(decided[0]))
    bare_ms = _median_ms(lambda: _bare_render(bare))
    print(
        f"decision document (DOCX, 处罚决定书 with its case's context): {one:.0f} ms vs a bare docxtpl render "
        f"of a one-line template {bare_ms:.0f} ms, ratio {one / bare_ms:.1f}"
    )
    started = time.perf_counter()
    documents = [decision(case) for case in decided]
    rate = len(documents) / (time.perf_counter() - started)
    print(
        f"decision documents (DOCX, {len(documents)} cases): {rate:.1f} documents/s vs bare one-line "
        f"renders {1000 / bare_ms:.1f} documents/s, ratio {rate / (1000 / bare_ms):.2f}"
    )
    single = _median_ms(lambda: docx_to_pdf(documents[0]), runs=3)
    total = one + single
    print(
        f"decision document (DOCX + PDF by LibreOffice, one at a time): {total:.0f} ms vs the goal "
        f"{GOAL_MS} ms, ratio {total / GOAL_MS:.2f}"
    )
    batch = documents[:10]
    started = time.perf_counter()
    pdfs = docx_batch_to_pdf(batch)
    each = (time.perf_counter() - started) * 1000 / len(batch)
    if decided[0].number not in pdf_text(pdfs[0]):
        print("enforcement bench: the PDF does not show its case's number", file=sys.stderr)
        raise SystemExit(1)
    print(
        f"decision documents (PDF, a batch of {len(pdfs)} in one LibreOffice run): {each:.0f} ms per "
        f"document ({1000 / each:.1f} documents/s) vs one at a time {single:.0f} ms, ratio {each / single:.2f}"
    )


def main() -> None:
    try:
        setup_django()
        build()
        bench_figures()
        bench_documents()
    finally:
        shutil.rmtree(VAR, ignore_errors=True)


if __name__ == "__main__":
    main()
