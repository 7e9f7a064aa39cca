"""JSON API of the closed loop: intake, lists, detail, one endpoint per action, history,
attachments, routing proposals, duplicates; the citizens' reports by ticket; hotline orders.

Every read starts from ``Case.objects.visible_to(user)``; every write calls one service.
"""

from datetime import datetime

from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.throttling import AnonRateThrottle

from cityloop.core.api_errors import ApiError
from cityloop.core.pagination import MappedPage, PageNumbers
from cityloop.core.scoping import get_visible_or_404
from cityloop.core.workflow.schemas import action_schemas
from cityloop.events import api_schemas as s
from cityloop.events.models import Attachment, Case, CaseEvent
from cityloop.events.presenters import case_detail, case_summary, event_out, public_case
from cityloop.events.selectors import CaseFilter, cases_for, public_following, published_photo
from cityloop.events.selectors.duplicates import duplicate_candidates
from cityloop.events.selectors.routing import route_proposal
from cityloop.events.services.hotline import hotline_import
from cityloop.events.services.intake import case_report, citizen_report
from cityloop.events.services.rating import case_rate, own_report
from cityloop.events.services.transitions import case_act
from cityloop.events.workflow import TRANSITIONS, Actor
from cityloop.org.choices import Role

router = Router()
# Each action's body: its row's declared inputs on what every action carries (ActionIn).
ACTION_SCHEMAS = action_schemas(TRANSITIONS, s.ActionIn)
public_router = Router(auth=None)
hotline_router = Router()

# Which sources a user may report under, by role; acceptors and administrators (the centre,
# and integrations such as the hotline, cameras and sensors acting as them) may use any.
SOURCES_BY_ROLE = {
    Role.INSPECTOR: {"inspector"},
    Role.LEADER: {"leader"},
    Role.HANDLER: {"entity_self_report"},
    Role.DISPATCHER: {"inspector", "leader"},
    Role.SHIFT_LEADER: {"inspector", "leader"},
}
ANY_SOURCE_ROLES = (Role.ACCEPTOR, Role.ADMINISTRATOR)


def _may_report_as(user, source: str) -> bool:
    if user.is_superuser or user.has_role(*ANY_SOURCE_ROLES):
        return source != "citizen"
    return any(source in SOURCES_BY_ROLE.get(role, set()) for role in user.roles)


DETAIL_RELATED = (
    "category",
    "category__major",
    "street",
    "community",
    "grid",
    "filing_condition",
    "merged_into",
)


def _case(request, ticket: str) -> Case:
    return get_visible_or_404(
        Case.objects.select_related(
            "category",
            "category__major",
            "street",
            "community",
            "grid",
            "filing_condition",
            "merged_into",
        ),
        request.user,
        ticket=ticket,
    )


class ListFilter(Schema):
    state: list[str] | None = None
    category: int | None = None
    street: str | None = None
    community: str | None = None
    source: list[str] | None = None
    reported_after: datetime | None = None
    reported_before: datetime | None = None
    overdue: bool | None = None
    mine: bool = False
    q: str | None = None


@router.get("/", response=list[s.CaseSummaryOut], summary="Cases I may see 案卷列表")
@paginate(PageNumbers, page_size=50)
def case_list(request, filters: Query[ListFilter]):
    return MappedPage(cases_for(request.user, CaseFilter(**filters.dict())), case_summary)


@router.post("/", response={201: s.CaseOut, 200: s.CaseOut}, summary="Report a case 上报")
def case_create(request, body: s.CaseIn):
    """Staff and integrations report here; a repeated ``external_id`` returns the first case."""
    if body.source == "citizen":
        raise ApiError(
            422, "source", _("Citizens report through /api/public/reports."), "literal_error"
        )
    if not _may_report_as(request.user, body.source):
        raise ApiError(403, "source", _("Your role cannot report under this source."), "forbidden")
    intake = case_report(reported_by=request.user, **body.dict())
    if not intake.created:  # the same external id again: shown only to those who may see it
        get_visible_or_404(Case.objects.all(), request.user, pk=intake.case.pk)
    case = Case.objects.select_related(*DETAIL_RELATED).get(pk=intake.case.pk)
    return Status(201 if intake.created else 200, case_detail(request.user, case))


@router.get("/{ticket}", response=s.CaseOut, summary="One case 案卷详情")
def case_get(request, ticket: str):
    return case_detail(request.user, _case(request, ticket))


@router.get("/{ticket}/history", response=list[s.EventOut], summary="History 流转记录")
def case_history(request, ticket: str):
    case = _case(request, ticket)
    events = (
        CaseEvent.objects.filter(case=case).prefetch_related("attachments").order_by("at", "id")
    )
    return [event_out(e) for e in events]


@router.get("/{ticket}/routing", summary="Routing proposal 派遣建议")
def case_routing(request, ticket: str):
    proposal = route_proposal(_case(request, ticket))
    from cityloop.core.i18n import both

    return {
        "unit": {"id": proposal.unit.pk, "name": proposal.unit.name, "kind": proposal.unit.kind},
        "rule": proposal.rule,
        "reason": both(proposal.reason),
    }


@router.get("/{ticket}/duplicates", summary="Candidate duplicates 疑似重复")
def case_duplicates(request, ticket: str):
    case = _case(request, ticket)
    return [
        {
            "ticket": c.ticket,
            "distance_m": round(d, 1),
            "reported_at": c.reported_at,
            "state": c.state,
            "description": c.description[:200],
        }
        for c, d in duplicate_candidates(case, user=request.user)
    ]


@router.post(
    "/{ticket}/attachments", response={201: list[s.AttachmentOut]}, summary="Add photos 上传附件"
)
def case_attach(request, ticket: str, files: File[list[UploadedFile]]):
    from cityloop.events.services.attachments import attachments_record

    case = _case(request, ticket)
    saved = attachments_record(case=case, files=files, actor=request.user)
    return Status(201, saved)


@router.get("/{ticket}/attachments/{attachment_id}", summary="Download an attachment 下载附件")
def case_attachment_file(request, ticket: str, attachment_id: int, variant: str = "original"):
    case = _case(request, ticket)
    attachment = Attachment.objects.filter(case=case, pk=attachment_id).first()
    return _file(attachment, variant)


def _file(attachment: Attachment | None, variant: str) -> FileResponse:
    fields = {"original": "file", "public": "public_file", "thumbnail": "thumbnail"}
    if attachment is None or variant not in fields:
        raise Http404
    stored = getattr(attachment, fields[variant])
    if not stored and variant == "original":
        stored = attachment.file
    if not stored:  # the public never gets an original (EXIF, GPS) in place of its copy
        raise Http404
    content_type = attachment.content_type if variant == "original" else "image/jpeg"
    return FileResponse(stored.open("rb"), content_type=content_type)


def _action_view(action: str, schema: type[Schema]):
    def view(request, ticket: str, body: schema):  # type: ignore[valid-type]
        case = _case(request, ticket)
        params = body.dict(exclude={"version", "comment"})
        case_act(
            actor=request.user,
            case=case,
            action=action,
            version=body.version,
            comment=body.comment,
            **params,
        )
        return case_detail(request.user, Case.objects.get(pk=case.pk))

    view.__name__ = f"case_{action}"
    return view


def _photos_view(action: str):
    def view(
        request,
        ticket: str,
        version: Form[int],
        comment: Form[str] = "",
        files: File[list[UploadedFile]] = None,
    ):
        """The same action with photos (multipart: version, comment, files)."""
        case = _case(request, ticket)
        case_act(
            actor=request.user,
            case=case,
            action=action,
            version=version,
            comment=comment,
            attachments=files or [],
        )
        return case_detail(request.user, Case.objects.get(pk=case.pk))

    view.__name__ = f"case_{action}_with_photos"
    return view


for _action, _t in TRANSITIONS.items():
    if _t.attachments:
        router.post(
            f"/{{ticket}}/{_action}/with-photos",
            response=s.CaseOut,
            summary=f"{_action} with photos (multipart)",
            operation_id=f"case_{_action}_with_photos",
        )(_photos_view(_action))
    if _t.actor == Actor.SYSTEM:
        continue
    router.post(
        f"/{{ticket}}/{_action}",
        response=s.CaseOut,
        summary=f"{_t.action} · {_action}",
        operation_id=f"case_{_action}",
    )(_action_view(_action, ACTION_SCHEMAS[_action]))


# --- citizens: no account -----------------------------------------------------------------
@public_router.post(
    "/reports",
    response={201: dict},
    throttle=[AnonRateThrottle("30/h")],
    summary="Report a problem 市民随手拍",
)
def public_report(request, body: s.PublicReportIn):
    """A citizen's report: answers the ticket number and the key needed to rate it later."""
    case = citizen_report(**body.dict())
    return Status(201, {"ticket": case.ticket, "key": case.reporter_key, "state": case.state})


@public_router.post(
    "/reports/{ticket}/photos",
    response={201: dict},
    throttle=[AnonRateThrottle("60/h")],
    summary="Add photos to my report 补充照片",
)
def public_photos(request, ticket: str, key: str, files: File[list[UploadedFile]]):
    from cityloop.events.services.attachments import attachments_record

    case = own_report(ticket=ticket, key=key or "")
    saved = attachments_record(case=case, files=files, actor=None)
    return Status(201, {"count": len(saved)})


def _public(ticket: str) -> Case:
    """The case a published ticket leads to (the survivor if merged), else 404."""
    case = public_following(ticket)
    if case is None:
        raise Http404
    return case


@public_router.get("/reports/{ticket}", summary="Follow my report 查询进度")
def public_follow(request, ticket: str):
    case = _public(ticket)
    return public_case(case, asked=ticket)


@public_router.get("/reports/{ticket}/photos/{attachment_id}", summary="A public photo 公开照片")
def public_photo(request, ticket: str, attachment_id: int, variant: str = "public"):
    attachment = published_photo(ticket, attachment_id)
    if attachment is None or variant not in ("public", "thumbnail"):
        raise Http404
    return _file(attachment, variant)


@public_router.post("/reports/{ticket}/rating", summary="Rate the result 评价")
def public_rate(request, ticket: str, body: s.RatingIn):
    case = case_rate(
        ticket=ticket, key=body.key, satisfaction=body.satisfaction, comment=body.comment
    )
    return public_case(Case.objects.get(pk=case.pk), asked=case.ticket)


# --- 12345 hotline ------------------------------------------------------------------------
@hotline_router.post(
    "/orders",
    response={200: s.HotlineReportOut, 422: s.HotlineReportOut},
    summary="12345 work orders in 热线工单导入",
)
def hotline_orders(request, orders: list[s.HotlineOrderIn], dry_run: bool = False):
    if not (request.user.is_superuser or request.user.has_role(Role.ACCEPTOR, Role.ADMINISTRATOR)):
        raise ApiError(
            403,
            "__all__",
            _("Only acceptors and administrators import hotline orders."),
            "forbidden",
        )
    report = hotline_import(orders=[o.dict() for o in orders], actor=request.user, dry_run=dry_run)
    from cityloop.core.i18n import both

    body = {
        "ok": report.ok,
        "summary": report.summary(),
        "results": report.results,
        "problems": [
            {"number": p.number, "order_no": p.order_no, "field": p.field, **both(p.message)}
            for p in report.problems
        ],
    }
    return Status(200 if report.ok else 422, body)
