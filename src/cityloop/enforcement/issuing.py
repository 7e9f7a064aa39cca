"""Issuing a document 执法文书 with an act: its number by the bureau's scheme, its DOCX rendered
from the bureau's template (or the shipped default), kept with its digest, and named in the
act's chained history row. The PDF is rendered from the kept DOCX (``pdf_of``) and its digest
kept beside it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.core.refusals import BadInput
from cityloop.enforcement.choices import PartyKind
from cityloop.enforcement.models import (
    Document,
    DocumentCounter,
    DocumentTemplate,
    EnforcementCase,
    NumberingScheme,
)

# Kinds whose documents carry a number (the others are records: 笔录, 审批表 …).
NUMBERED = {
    "on_the_spot_decision",
    "penalty_decision",
    "prior_notice",
    "hearing_notice",
    "preservation_notice",
    "reminder",
    "filing_approval",
}
NO_SCHEME = _(
    "No numbering scheme for “%(kind)s”: an administrator must add one "
    "(administration → enforcement → document numbering)."
)


def template_of(kind: str) -> tuple[bytes | Path, str]:
    """The bureau's newest active template for ``kind``, else the shipped default, with the
    name a refusal shows."""
    from cityloop.enforcement.documents import TEMPLATE_DIR

    uploaded = DocumentTemplate.objects.filter(kind=kind, active=True).order_by("-uploaded_at")
    found = uploaded.first()
    if found is not None:
        with found.file.open("rb") as handle:
            return handle.read(), f"{kind}: {Path(found.file.name).name}"
    return Path(TEMPLATE_DIR) / f"{kind}.docx", f"{kind}.docx"


def take_number(case: EnforcementCase, kind: str, now: datetime) -> str:
    """The next number of ``kind`` for the case's unit in the year of ``now`` (the unit's own
    scheme, else the bureau's default); the counter row is locked while it is taken."""
    scheme = (
        NumberingScheme.objects.filter(unit=case.unit_id, kind=kind).first()
        or NumberingScheme.objects.filter(unit__isnull=True, kind=kind).first()
    )
    if scheme is None:
        raise BadInput(lazy_format(NO_SCHEME, {"kind": kind}), field="document", code="no_scheme")
    year = timezone.localtime(now).year
    counters = DocumentCounter.objects.select_for_update()
    counter = counters.filter(pattern=scheme.pattern, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(pattern=scheme.pattern, year=year)
        except IntegrityError:
            pass  # another act created it meanwhile
        counter = counters.get(pattern=scheme.pattern, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return scheme.pattern.format(year=year, n=counter.last)


def issue(ctx: Any, kind: str) -> Document:
    """Issue ``kind`` with the act in ``ctx``: numbered, rendered, kept, named in its history."""
    from cityloop.core.documents import render_docx
    from cityloop.enforcement.documents.context import context_for

    case: EnforcementCase = ctx.record
    number = take_number(case, kind, ctx.now) if kind in NUMBERED else ""
    revision = Document.objects.filter(case=case, kind=kind).count() + 1
    context = context_for(case, kind, number=number, now=ctx.now, data=ctx.data)
    template, name = template_of(kind)
    docx = render_docx(template, context, name=name)
    digest = hashlib.sha256(docx).hexdigest()
    document = Document(case=case, kind=kind, number=number, revision=revision, issued_at=ctx.now)
    name = f"{case.number}-{kind}-{revision}.docx"
    document.docx.save(name, ContentFile(docx), save=False)
    document.docx_sha256 = digest
    document.save()
    ctx.data.setdefault("documents", []).append(
        {"kind": kind, "number": number, "revision": revision, "sha256": digest}
    )
    return document


def pdf_of(document: Document) -> bytes:
    """The document's PDF (rendered once from the kept DOCX, then kept with its digest)."""
    from cityloop.core.documents import docx_to_pdf

    if document.pdf:
        with document.pdf.open("rb") as handle:
            return handle.read()
    with document.docx.open("rb") as handle:
        pdf = docx_to_pdf(handle.read())
    document.pdf.save(
        Path(document.docx.name).with_suffix(".pdf").name, ContentFile(pdf), save=False
    )
    document.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    document.save(update_fields=["pdf", "pdf_sha256"])
    return pdf


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def party_kind_label(kind: str) -> str:
    return "个人" if kind == PartyKind.PERSON else "单位"
