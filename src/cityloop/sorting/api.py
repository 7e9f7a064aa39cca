"""JSON API of §3, from data to action: collection tasks and evidence packages.

Mounted by ``cityloop.api`` under ``/api/tasks/`` and ``/api/evidence/`` with the API's token
and session authentication. Contractor staff see the tasks of their own unit; district, street
and community staff those of the points in their area; only some roles may mark a task done or
cancelled. Evidence packages are for the roles of decision 0027 (household lookup) and the
sealing roles, within their area (docs/devices.md, From data to action).
"""

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from cityloop.core.api_errors import ApiError
from cityloop.core.pagination import MappedPage, PageNumbers
from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import Unit
from cityloop.sorting import evidence, evidence_export
from cityloop.sorting.choices import TaskStatus
from cityloop.sorting.models import CollectionTask, EvidencePackage, Household
from cityloop.sorting.selectors import packages_visible_to, tasks_visible_to
from cityloop.sorting.services import task_act, task_status_action

# Each operation keeps the id it had as ``cityloop.devices.api`` (clients are generated from the
# OpenAPI document, which the move to this app leaves unchanged: decision 0044).
tasks_router = Router()
evidence_router = Router()

SEALING_ROLES = (Role.ENFORCEMENT_OFFICER, Role.LEGAL_REVIEWER, Role.ADMINISTRATOR)
# Who may list and read evidence packages (they quote households' disposals): the roles that
# may look a household up (decision 0027, web/sorting/access.py HOUSEHOLD_ROLES) and the
# sealing roles, in a district, street or community unit, within their area.
EVIDENCE_ROLES = (Role.INSPECTOR, Role.LEADER, *SEALING_ROLES)
EVIDENCE_UNIT_KINDS = (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY)


def may_read_evidence(user) -> bool:
    if user.is_superuser:
        return True
    unit = user.unit
    return unit is not None and unit.kind in EVIDENCE_UNIT_KINDS and user.has_role(*EVIDENCE_ROLES)


def may_verify_whole_chain(user) -> bool:
    """The whole chain (every package's number and problems) is for those who see every
    package anyway: superusers and district staff who may read evidence."""
    return may_read_evidence(user) and user.sees_everything


def _evidence_readers_only(user) -> None:
    if not may_read_evidence(user):
        raise ApiError(
            403,
            "__all__",
            _(
                "Evidence packages are for inspectors, leaders, administrators, enforcement "
                "officers and legal reviewers of a district, street or community."
            ),
            "forbidden",
        )


# --- Tasks ------------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    point: str = Field(..., description="collection point code")
    point_name: str
    waste_type: str
    contractor: str | None
    reason: str
    level: float | None
    status: str
    opened_at: datetime
    due_at: datetime
    overdue: bool
    alarms: int
    last_alarm_at: datetime
    done_at: datetime | None
    version: int = Field(..., description="send it back with a status change")


def task_out(task: CollectionTask) -> dict:
    now = timezone.now()
    return {
        "id": task.pk,
        "point": task.point.code,
        "point_name": task.point.name,
        "waste_type": task.waste_type,
        "contractor": task.contractor.display_name if task.contractor else None,
        "reason": task.reason,
        "level": task.level,
        "status": task.status,
        "opened_at": task.opened_at,
        "due_at": task.due_at,
        "overdue": task.status == TaskStatus.OPEN and task.due_at < now,
        "alarms": task.alarms,
        "last_alarm_at": task.last_alarm_at,
        "done_at": task.done_at,
        "version": task.version,
    }


class TaskFilter(Schema):
    status: Literal["open", "done", "cancelled"] | None = None
    point: str | None = Field(None, description="collection point code")


class TaskStatusIn(Schema):
    status: Literal["done", "cancelled"] = Field(..., description="done or cancelled")
    version: int | None = Field(
        None, description="the task's version as read (409 if it changed since)"
    )
    comment: str = Field("", max_length=2000, description="why (a false alarm, what was found)")


@tasks_router.get(
    "/",
    response=list[TaskOut],
    summary="Collection tasks I may see 收运任务",
    operation_id="cityloop_devices_api_task_list",
)
@paginate(PageNumbers, page_size=50)
def task_list(request, filters: Query[TaskFilter]):
    rows = tasks_visible_to(request.user)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.point:
        rows = rows.filter(point__code=filters.point)
    return MappedPage(rows.order_by("-opened_at", "-id"), task_out)


@tasks_router.post(
    "/{task_id}/status",
    response=TaskOut,
    summary="Mark a task done or cancelled",
    operation_id="cityloop_devices_api_task_status",
)
def task_status(request, task_id: int, body: TaskStatusIn):
    """Done (the bins were emptied) or cancelled (a false alarm). Only an open task changes
    (409); each change is a history entry.

    Allowed: handlers of the task's contractor, administrators, and dispatchers and inspectors
    of the district or a street (within their area); anyone else who sees the task gets 403,
    after the version (409) and the role, and the task's state (409) checks of the task
    workflow (docs/tasks.md)."""
    task = tasks_visible_to(request.user).filter(pk=task_id).first()
    if task is None:
        raise Http404
    task = task_act(
        actor=request.user,
        task=task,
        action=task_status_action(body.status),
        version=body.version,
        comment=body.comment,
    )
    return task_out(tasks_visible_to(request.user).get(pk=task.pk))


# --- Evidence ---------------------------------------------------------------------------------


class PackageOut(Schema):
    id: int
    number: str
    subject: str
    household: str | None = Field(None, description="household code")
    unit: str | None = Field(None, description="unit name")
    period_start: datetime
    period_end: datetime
    item_count: int
    sealed_at: datetime
    sealed_by: str | None
    previous_digest: str
    digest: str


class ItemOut(Schema):
    seq: int
    record: int | None
    content: str = Field(..., description="canonical JSON of the sealed record")
    previous_digest: str
    digest: str


class PackageDetailOut(PackageOut):
    items: list[ItemOut]


class SealIn(Schema):
    household: str | None = Field(None, description="household code")
    unit: int | None = Field(None, description="unit id (a social entity, community, street)")
    start: datetime = Field(
        ...,
        description="first moment of the period: an ISO time (local time without an offset) "
        "or a date (its local midnight)",
    )
    end: datetime = Field(
        ...,
        description="end of the period, excluded: an ISO time (local time without an offset) "
        "or a date (its local midnight, so that day is not included)",
    )

    @field_validator("start", "end", mode="before")
    @classmethod
    def _aware(cls, value):
        """Times without an offset are local; a date is its local midnight (end excluded)."""
        if isinstance(value, str | datetime):
            try:
                return evidence.moment(value)
            except ValueError:
                raise PydanticCustomError("datetime_parsing", "not an ISO date or time") from None
        return value


class Bilingual(Schema):
    zh: str
    en: str


class ProblemOut(Schema):
    package: str
    item: int | None = Field(..., description="the item's position; null: the package itself")
    what: str = Field(..., description="code: package_chain, item_digest, record_changed, …")
    label: Bilingual = Field(..., description="what the problem means")
    data: dict = Field(..., description="the facts: digests, counts, changed values")


class VerifyOut(Schema):
    ok: bool
    packages: int
    items: int
    head: str = Field(..., description="digest of the last package: publish it to anchor")
    problems: list[ProblemOut]


def package_out(package: EvidencePackage) -> dict:
    return {
        "id": package.pk,
        "number": package.number,
        "subject": package.subject,
        "household": package.household.code if package.household else None,
        "unit": package.unit.display_name if package.unit else None,
        "period_start": package.period_start,
        "period_end": package.period_end,
        "item_count": package.item_count,
        "sealed_at": package.sealed_at,
        "sealed_by": str(package.sealed_by) if package.sealed_by else None,
        "previous_digest": package.previous_digest,
        "digest": package.digest,
    }


@evidence_router.get(
    "/",
    response=list[PackageOut],
    summary="Evidence packages 证据包",
    operation_id="cityloop_devices_api_package_list",
)
@paginate(PageNumbers, page_size=50)
def package_list(request):
    """The packages of the user's area, for the roles that may read evidence (else 403)."""
    _evidence_readers_only(request.user)
    return MappedPage(packages_visible_to(request.user).order_by("-pk"), package_out)


@evidence_router.post(
    "/",
    response={201: PackageOut},
    summary="Seal an evidence package 封存",
    operation_id="cityloop_devices_api_package_seal",
)
def package_seal(request, body: SealIn):
    """Seal the incidents of a household or unit over a period as the next package."""
    user = request.user
    if not (user.is_superuser or user.has_role(*SEALING_ROLES)):
        raise ApiError(403, "__all__", _("Your role cannot seal evidence."), "forbidden")
    household = unit = None
    if body.household:
        household = Household.objects.visible_to(user).filter(code=body.household).first()
        if household is None:
            raise ApiError(422, "household", _("No household has this code."), "not_found")
    if body.unit is not None:
        unit = Unit.objects.visible_to(user).filter(pk=body.unit).first()
        if unit is None:
            raise ApiError(422, "unit", _("No unit has this id."), "not_found")
    package = evidence.seal_package(
        household=household, unit=unit, start=body.start, end=body.end, by=user
    )
    return Status(201, package_out(packages_visible_to(user).get(pk=package.pk)))


@evidence_router.get(
    "/verify",
    response=VerifyOut,
    summary="Verify the evidence chain",
    operation_id="cityloop_devices_api_chain_verify",
)
def chain_verify(request):
    """Recompute the packages' and items' digests and compare each item with its record.

    District staff who may read evidence (and superusers) check the whole chain; the others
    check the packages of their area, each still against the package before it."""
    user = request.user
    _evidence_readers_only(user)
    if may_verify_whole_chain(user):
        return evidence.verify().as_json()
    return evidence.verify(packages=packages_visible_to(user)).as_json()


@evidence_router.get(
    "/{number}",
    response=PackageDetailOut,
    summary="One evidence package",
    operation_id="cityloop_devices_api_package_detail",
)
def package_detail(request, number: str):
    _evidence_readers_only(request.user)
    package = packages_visible_to(request.user).filter(number=number).first()
    if package is None:
        raise Http404
    items = [
        {
            "seq": i.seq,
            "record": i.record_id,
            "content": i.content,
            "previous_digest": i.previous_digest,
            "digest": i.digest,
        }
        for i in package.items.order_by("seq")
    ]
    return {**package_out(package), "items": items}


@evidence_router.get(
    "/{number}/verify",
    response=VerifyOut,
    summary="Verify one package",
    operation_id="cityloop_devices_api_package_verify",
)
def package_verify(request, number: str):
    _evidence_readers_only(request.user)
    package = packages_visible_to(request.user).filter(number=number).first()
    if package is None:
        raise Http404
    return evidence.verify(packages=[package]).as_json()


@evidence_router.get(
    "/{number}/export",
    summary="Export one package as a ZIP 导出证据包",
    openapi_extra={
        "responses": {
            200: {
                "description": "ZIP: SHA256SUMS (check with sha256sum -c), manifest.json, the "
                "package's and items' chain files, the records' row texts and the images",
                "content": {"application/zip": {}},
            }
        }
    },
    operation_id="cityloop_devices_api_package_export",
)
def package_export(request, number: str):
    """The package as a ZIP that ``sha256sum -c SHA256SUMS`` checks offline (docs/devices.md)."""
    _evidence_readers_only(request.user)
    package = packages_visible_to(request.user).filter(number=number).first()
    if package is None:
        raise Http404
    response = HttpResponse(evidence_export.package_zip(package), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.number}.zip"'
    return response
