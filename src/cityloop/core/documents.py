"""Documents from templates: DOCX rendered from a DOCX template with Jinja tags (docxtpl), PDF
rendered from that DOCX by LibreOffice, and the text of either read back (tests, verification).

A template is the bureau's to edit in Word or WPS (docs/documents.md, decision 0053): its tags are
``{{ case.number }}`` and ``{% for e in evidence %}`` over the context its module hands over.
A tag the context does not hold is a refusal that names it, never a silent blank: a typo in an
uploaded template must not print an empty line on a legal document.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from jinja2 import Environment, StrictUndefined, TemplateError, UndefinedError

from cityloop.core.i18n import lazy_format
from cityloop.core.refusals import BadInput

BAD_TEMPLATE = _(
    "The template “%(template)s” cannot be used: %(problem)s. An administrator must correct "
    "it (administration → enforcement → document templates)."
)
NOT_A_DOCX = _("it is not a DOCX file")
NO_RENDERER = _(
    "PDF rendering needs LibreOffice on the server (soffice, not found): an administrator must "
    "install it (Debian: libreoffice-writer-nogui). The DOCX can be downloaded meanwhile."
)
RENDER_FAILED = _(
    "LibreOffice could not turn the document into PDF (%(problem)s); an administrator must "
    "check the server's LibreOffice. The DOCX can be downloaded meanwhile."
)


def _environment() -> Environment:
    # Autoescape: a party's name with "&" or "<" must stay text in the document's XML.
    return Environment(undefined=StrictUndefined, autoescape=True)


def render_docx(template: bytes | Path, context: dict[str, Any], *, name: str = "") -> bytes:
    """The DOCX of ``template`` rendered with ``context``; a broken template is a refusal."""
    from docxtpl import DocxTemplate  # type: ignore[import-untyped]

    label = name or (template.name if isinstance(template, Path) else "template")
    source = template.read_bytes() if isinstance(template, Path) else template
    if not zipfile.is_zipfile(io.BytesIO(source)):
        raise _bad(label, NOT_A_DOCX)
    try:
        document = DocxTemplate(io.BytesIO(source))
        document.render(context, _environment())
    except UndefinedError as error:
        raise _bad(label, UNKNOWN_FIELD, _tags_naming(source, str(error))) from None
    except TemplateError as error:
        raise _bad(label, _("a tag is malformed (%(field)s)"), str(error)) from None
    except (TypeError, AttributeError) as error:
        raise _bad(label, _("a tag cannot be used on its field (%(field)s)"), str(error)) from None
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise _bad(label, NOT_A_DOCX, str(error)) from None
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


UNKNOWN_FIELD = _("it uses a field the document does not have (%(field)s)")
MISSING = re.compile(r"has no attribute '(\w+)'|'(\w+)' is undefined")
XML_TAG = re.compile(r"<[^>]+>")


def _tags_naming(source: bytes, error: str) -> str:
    """The tags of the template that name what Jinja says is missing ("party.nam", not
    "'dict object' has no attribute 'nam'"), so the administrator knows which tag to fix."""
    found = MISSING.search(error)
    if found is None:
        return error
    missing = found.group(1) or found.group(2)
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        text = " ".join(
            XML_TAG.sub("", archive.read(n).decode("utf-8", "replace"))
            for n in archive.namelist()
            if n.startswith("word/") and n.endswith(".xml")
        )
    tags = re.findall(r"\b[\w.]*\b" + re.escape(missing) + r"\b", text)
    return "、".join(dict.fromkeys(t for t in tags if t)) or missing


def _bad(label: str, problem: Any, detail: str | None = None) -> BadInput:
    if detail is not None:
        problem = lazy_format(problem, {"field": detail[:200]})
    message = lazy_format(BAD_TEMPLATE, {"template": label, "problem": problem})
    return BadInput(message, field="template", code="bad_template")


def soffice() -> str | None:
    """LibreOffice's command (``CITYLOOP_SOFFICE`` overrides the search of the PATH)."""
    configured = getattr(settings, "CITYLOOP_SOFFICE", "") or os.environ.get("CITYLOOP_SOFFICE")
    return configured or shutil.which("soffice") or shutil.which("libreoffice")


def renderer_available() -> bool:
    return soffice() is not None


def docx_to_pdf(docx: bytes, *, timeout: float = 120) -> bytes:
    """The PDF of ``docx``, rendered by LibreOffice headless with a profile of its own (two
    conversions at once must not share one; a CJK font must be installed: fonts-wqy-microhei)."""
    return docx_batch_to_pdf([docx], timeout=timeout)[0]


def docx_batch_to_pdf(documents: list[bytes], *, timeout: float = 300) -> list[bytes]:
    """PDFs of several DOCX in one LibreOffice run (its start-up is most of one conversion)."""
    command = soffice()
    if command is None:
        raise BadInput(NO_RENDERER, field="pdf", code="no_renderer")
    with tempfile.TemporaryDirectory(prefix="cityloop-pdf-") as folder:
        root = Path(folder)
        names = []
        for index, docx in enumerate(documents):
            path = root / f"d{index}.docx"
            path.write_bytes(docx)
            names.append(str(path))
        try:
            subprocess.run(  # noqa: S603 (our own command, arguments we built)
                [
                    command,
                    f"-env:UserInstallation={(root / 'profile').as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(root),
                    *names,
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise BadInput(
                lazy_format(RENDER_FAILED, {"problem": f"timeout after {timeout:.0f} s"}),
                field="pdf",
                code="render_failed",
            ) from None
        except (subprocess.CalledProcessError, OSError) as error:
            raise BadInput(
                lazy_format(RENDER_FAILED, {"problem": str(error)[:200]}),
                field="pdf",
                code="render_failed",
            ) from None
        pdfs = []
        for index in range(len(documents)):
            pdf = root / f"d{index}.pdf"
            if not pdf.exists():
                raise BadInput(
                    lazy_format(RENDER_FAILED, {"problem": "no PDF written"}),
                    field="pdf",
                    code="render_failed",
                )
            pdfs.append(pdf.read_bytes())
        return pdfs


def docx_text(docx: bytes) -> str:
    """The text of a DOCX: its paragraphs, then its tables' cells, one per line."""
    from docx import Document

    document = Document(io.BytesIO(docx))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as its fonts encode it (a CJK font that maps to Unicode reads back)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def plain(text: str) -> str:
    """``text`` without whitespace: a PDF's text layer spaces CJK from digits ("第 1 号"), so a
    document's text is compared with its data without it."""
    return "".join(text.split())


# 人民币大写 (amounts in words on a decision, as financial documents write them).
DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿", "万亿")


def _group(number: int) -> str:
    """A four-digit group in words, with 零 for inner zeros only."""
    out, zero = "", False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + SMALL_UNITS[position]
    return out


def amount_in_words(value: Decimal | int | str) -> str:
    """``Decimal("1234.50")`` → "壹仟贰佰叁拾肆元伍角"; ``500`` → "伍佰元整"; ``0`` → "零元整"."""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("an amount in words is not negative")
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words = ""
    if yuan:
        groups = []
        rest = yuan
        while rest:
            groups.append(rest % 10000)
            rest //= 10000
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                pending_zero = bool(words)
                continue
            if words and (pending_zero or group < 1000):
                words += "零"
            words += _group(group) + GROUP_UNITS[index]
            pending_zero = False
        words += "元"
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    return words
