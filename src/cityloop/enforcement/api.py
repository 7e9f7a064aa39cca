"""JSON API of administrative enforcement (行政执法办案): clues registered, lists, a case's whole
file, one endpoint per action of the table (``enforcement.workflow``; with files for the
actions that take them), and the issued documents as DOCX and PDF.

Every read starts from ``selectors.cases_visible_to(user)`` (another street's case is a 404,
like a missing one); every write calls one service (``services.enforcement_act``,
``register_clue``, ``clue_from_package``).
"""

from io import BytesIO
from typing import Any

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import create_model

from cityloop.core.api_errors import PYDANTIC_MESSAGES, ApiError
from cityloop.core.pagination import MappedPage, PageNumbers
from cityloop.core.workflow.inputs import Many, Reference
from cityloop.core.workflow.schemas import action_schemas, schema_name
from cityloop.core.workflow.table import Transition
from cityloop.enforcement import api_schemas as s
from cityloop.enforcement.issuing import pdf_of
from cityloop.enforcement.models import Document, EnforcementCase, Evidence
from cityloop.enforcement.presenters import case_detail, case_summary
from cityloop.enforcement.selectors import CaseFilter, cases_for, cases_visible_to
from cityloop.enforcement.services import clue_from_package, enforcement_act, register_clue
from cityloop.enforcement.workflow import TRANSITIONS
from cityloop.org.models import Unit

router = Router()
# Each action's body: its row's declared inputs on what every action carries (ActionIn); the
# prefix keeps the schema names apart from the closed loop's (both have a ``close`` …).
ACTION_SCHEMAS = action_schemas(TRANSITIONS, s.EnforcementActionIn, prefix="Enforcement")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DETAIL_RELATED = ("unit", "party", "violation", "source_case", "source_package")


def _case(request, number: str) -> EnforcementCase:
    """The case by number if the user may see it; 404 alike for missing and not theirs."""
    case = cases_visible_to(request.user).select_related(*DETAIL_RELATED).filter(number=number)
    found = case.first()
    if found is None:
        raise Http404
    return found


def _links(request) -> Any:
    namespace = request.resolver_match.namespace

    def link(kind: str, obj: Any) -> str:
        if kind == "evidence":
            kwargs = {"number": obj.case.number, "evidence_number": obj.number}
            return reverse(f"{namespace}:enforcement_evidence_file", kwargs=kwargs)
        kwargs = {"number": obj.case.number, "document_id": obj.pk}
        return reverse(f"{namespace}:enforcement_document_{kind}", kwargs=kwargs)

    return link


def _detail(request, case: EnforcementCase) -> dict:
    return case_detail(request.user, case, _links(request))


def _fresh(request, case: EnforcementCase) -> dict:
    """The case as it is after an act (read again, with what the detail shows)."""
    return _detail(request, EnforcementCase.objects.select_related(*DETAIL_RELATED).get(pk=case.pk))


@router.get(
    "/cases", response=list[s.EnforcementCaseSummaryOut], summary="Enforcement cases 案件列表"
)
@paginate(PageNumbers, page_size=50)
def case_list(request, filters: Query[s.EnforcementListFilter]):
    values = filters.dict()
    values["state"] = [str(v) for v in values["state"]] if values["state"] else None
    return MappedPage(cases_for(request.user, CaseFilter(**values)), case_summary)


def _unit_for(request, code: str | None) -> Unit:
    """The street a clue is registered for: one the user may see, by code; else their own."""
    if code is None:
        unit = request.user.unit
    else:
        unit = Unit.objects.visible_to(request.user).filter(code=code.strip()).first()
    if unit is None:
        message = _("Choose the street whose team handles this clue.")
        raise ApiError(422, "unit", message, "invalid")
    return unit


@router.post("/cases", response={201: s.EnforcementCaseOut}, summary="Register a clue 线索登记")
def case_create(request, body: s.EnforcementClueIn):
    case = register_clue(
        actor=request.user,
        unit=_unit_for(request, body.unit),
        source=body.source,
        title=body.title,
        place=body.place,
        facts=body.facts,
        note=body.note,
    )
    return Status(201, _fresh(request, case))


@router.post(
    "/cases/from-package/{package_number}",
    response={201: s.EnforcementCaseOut},
    summary="A sealed evidence package becomes a clue 证据包转线索",
)
def case_from_package(request, package_number: str):
    """The package by its number (as ``/api/evidence/{number}`` names it), if in your area."""
    from cityloop.sorting.selectors import packages_visible_to

    package = packages_visible_to(request.user).filter(number=package_number).first()
    if package is None:
        raise Http404
    case = clue_from_package(actor=request.user, package=package)
    return Status(201, _fresh(request, case))


@router.get("/cases/{number}", response=s.EnforcementCaseOut, summary="One case 案件详情")
def case_get(request, number: str):
    return _detail(request, _case(request, number))


@router.get(
    "/cases/{number}/documents/{document_id}.docx",
    summary="A document as issued (DOCX) 文书",
    url_name="enforcement_document_docx",
)
def document_docx(request, number: str, document_id: int):
    document = _document(request, number, document_id)
    name = f"{document.case.number}-{document.kind}-{document.revision}.docx"
    return FileResponse(
        document.docx.open("rb"), content_type=DOCX, as_attachment=True, filename=name
    )


@router.get(
    "/cases/{number}/documents/{document_id}.pdf",
    summary="A document as PDF 文书 PDF",
    url_name="enforcement_document_pdf",
)
def document_pdf(request, number: str, document_id: int):
    document = _document(request, number, document_id)
    name = f"{document.case.number}-{document.kind}-{document.revision}.pdf"
    pdf = pdf_of(document)
    return FileResponse(BytesIO(pdf), content_type="application/pdf", filename=name)


def _document(request, number: str, document_id: int) -> Document:
    case = _case(request, number)
    document = Document.objects.filter(case=case, pk=document_id).select_related("case").first()
    if document is None:
        raise Http404
    return document


@router.get(
    "/cases/{number}/evidence/{evidence_number}",
    summary="An evidence item's file 证据文件",
    url_name="enforcement_evidence_file",
)
def evidence_file(request, number: str, evidence_number: int):
    case = _case(request, number)
    item = Evidence.objects.filter(case=case, number=evidence_number).first()
    if item is None or not item.file:
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True)


# --- one endpoint per action --------------------------------------------------------------
def _action_view(action: str, schema: type[Schema]):
    def view(request, number: str, body: schema):  # type: ignore[valid-type]
        case = _case(request, number)
        params = body.dict(exclude={"version", "comment"})
        enforcement_act(
            actor=request.user,
            case=case,
            action=action,
            version=body.version,
            comment=body.comment,
            **params,
        )
        return _fresh(request, case)

    view.__name__ = f"enforcement_{action}"
    return view


def _officer_list(given: Many) -> bool:
    """A list of officers alone (``[{"officer": id}]``): a form repeats the field instead."""
    return len(given.of) == 1 and isinstance(given.of[0], Reference)


def form_schema(t: Transition) -> type[Schema]:
    """The multipart form of an action with files: its inputs as form fields; a list of
    references (the officers) as the field repeated (``officers=3&officers=5``)."""
    fields: dict[str, Any] = {}
    for given in t.inputs:
        if isinstance(given, Many) and _officer_list(given):
            fields[given.name] = (list[int], [])
        elif isinstance(given, Many):
            raise TypeError(f"{t.action}: a list of {given.of} cannot be a form field")
        else:
            fields[given.name] = given.annotation()
    name = schema_name(t.action, "Enforcement").removesuffix("In") + "FormIn"
    return create_model(name, __base__=s.EnforcementActionIn, **fields)


def _form_params(t: Transition, form: Schema) -> dict[str, Any]:
    params = form.dict(exclude={"version", "comment"})
    for given in t.inputs:
        if isinstance(given, Many):
            item = given.of[0].name
            params[given.name] = [{item: pk} for pk in params[given.name]]
    return params


def _refuse_undeclared(request, schema: type[Schema]) -> None:
    """A form field the action does not take is refused, as in a JSON body (a misspelt input
    is never silently ignored; the form reader would drop it)."""
    for name in request.POST:
        if name not in schema.model_fields:
            raise ApiError(422, name, PYDANTIC_MESSAGES["extra_forbidden"], "extra_forbidden")


def _files_view(t: Transition):
    schema = form_schema(t)

    def view(
        request,
        number: str,
        form: Form[schema],  # type: ignore[valid-type]
        files: File[list[UploadedFile]] = None,
    ):
        """The same action with files (multipart: its inputs, version, comment, files)."""
        _refuse_undeclared(request, schema)
        case = _case(request, number)
        enforcement_act(
            actor=request.user,
            case=case,
            action=t.action,
            version=form.version,
            comment=form.comment,
            attachments=files or [],
            **_form_params(t, form),
        )
        return _fresh(request, case)

    view.__name__ = f"enforcement_{t.action}_with_files"
    return view


for _action, _t in TRANSITIONS.items():
    if _t.attachments:
        router.post(
            f"/cases/{{number}}/{_action}/with-files",
            response=s.EnforcementCaseOut,
            summary=f"{_action} with files (multipart)",
            operation_id=f"enforcement_{_action}_with_files",
        )(_files_view(_t))
    router.post(
        f"/cases/{{number}}/{_action}",
        response=s.EnforcementCaseOut,
        summary=f"{_t.action} · {_action}",
        operation_id=f"enforcement_{_action}",
    )(_action_view(_action, ACTION_SCHEMAS[_action]))


# --- The case file's check and the report's figures ---------------------------------------------


@router.get(
    "/cases/{number}/verify",
    response=s.EnforcementVerifyOut,
    summary="Verify a case file 案卷校验",
)
def case_verify(request, number: str):
    """Recompute the case's history chain and compare its documents' and evidence's bytes
    with their digests (《行政处罚法》第四十七条's full-process record)."""
    from cityloop.enforcement.verification import verify_cases

    case = _case(request, number)
    return verify_cases(EnforcementCase.objects.filter(pk=case.pk)).as_json()


@router.get("/verify", response=s.EnforcementVerifyOut, summary="Verify the case files 案卷校验")
def cases_verify(request):
    """Every case file the user may see (a street's team: its street; the bureau: all)."""
    from cityloop.enforcement.verification import verify_cases

    return verify_cases(cases_visible_to(request.user)).as_json()


def _figures_unit(request, code: str | None) -> Unit | None:
    """The street the figures count: one the user may see, by code; without a code, the user's
    own street, or everything for the district's staff."""
    from cityloop.enforcement.selectors import figures_scope

    user = request.user
    if code is None:
        return figures_scope(user)
    unit = Unit.objects.visible_to(user).filter(code=code.strip()).first()
    if unit is None:
        raise ApiError(422, "unit", _("No street you may see has this division code."), "invalid")
    return unit


def _figures(request, filters: s.EnforcementFiguresFilter):
    from cityloop.enforcement import figures

    unit = _figures_unit(request, filters.unit)
    return unit, figures.figures(filters.start, filters.end, unit)


@router.get(
    "/figures", response=s.EnforcementFiguresOut, summary="The report's figures 执法统计数据"
)
def figures_get(request, filters: Query[s.EnforcementFiguresFilter]):
    """The annual report's enforcement figures for any period, counted from the data, with the
    report's sentence (docs/enforcement.md, Figures; decision 0053)."""
    from cityloop.enforcement.figures import sentence

    unit, figs = _figures(request, filters)
    area = unit.name if unit is not None else "全区"
    return {
        "start": filters.start,
        "end": filters.end,
        "area": area,
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "value": f.value,
                "text": f.text,
                "unit": f.unit,
                "name": str(f.name),
                "basis": str(f.basis),
            }
            for f in figs
        ],
        "sentence": sentence(figs, area=area),
    }


@router.get("/figures.xlsx", summary="The report's figures as Excel 导出执法统计")
def figures_xlsx(request, filters: Query[s.EnforcementFiguresFilter]):
    from cityloop.enforcement.figures import export_xlsx

    unit, figs = _figures(request, filters)
    book = export_xlsx(figs, filters.start, filters.end, unit=unit)
    name = f"enforcement-figures-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.xlsx"
    return FileResponse(
        BytesIO(book),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
