"""Input and output shapes of the cases API (django-ninja schemas)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from cityloop.events.choices import Source, Urgency

CRS = Literal["wgs84", "gcj02", "bd09"]


class CaseIn(Schema):
    """A report by staff or an integration (citizens use /api/public/reports)."""

    source: Source = Field(Source.INSPECTOR, description="inspector, hotline, ai_camera, …")
    description: str = Field(..., max_length=2000)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    crs: CRS = "wgs84"
    address: str = Field("", max_length=200)
    category: int | None = Field(None, description="minor category id")
    urgency: Urgency = Urgency.NORMAL
    external_id: str | None = Field(None, max_length=64, description="the sender's own id")
    reporter_name: str = Field("", max_length=60)
    reporter_phone: str = Field("", max_length=30)


class PublicReportIn(Schema):
    description: str = Field(..., max_length=2000)
    lon: float = Field(..., ge=-180, le=180)
    lat: float = Field(..., ge=-90, le=90)
    crs: CRS = "wgs84"
    address: str = Field("", max_length=200)
    category: int | None = None
    reporter_name: str = Field("", max_length=60)
    reporter_phone: str = Field("", max_length=30)


class UnitOut(Schema):
    id: int
    name: str
    kind: str


class AssignmentOut(Schema):
    unit: UnitOut
    role: str
    state: str
    task: str
    deadline: datetime | None
    routing_reason: str
    dispatched_at: datetime
    signed_at: datetime | None
    done_at: datetime | None


class CategoryOut(Schema):
    id: int
    code: str = Field(..., description="kind-major-minor, e.g. event-01-10")
    name: str


class CaseSummaryOut(Schema):
    ticket: str
    source: str
    category: CategoryOut | None
    description: str
    address: str
    lon: float | None
    lat: float | None
    street: str | None
    community: str | None
    state: str
    stage: str
    deadline: datetime | None
    deadline_provisional: bool = Field(
        ...,
        description="The deadline was counted on a year whose official holiday arrangement is "
        "not entered yet (statutory holidays only); it is counted again when it is.",
    )
    clock_state: str
    reported_at: datetime
    version: int


class ActionOut(Schema):
    action: str
    label: str
    reason_required: bool


class CaseOut(CaseSummaryOut):
    urgency: str
    external_id: str | None
    grid: str | None
    area_class: str
    reporter: dict[str, str]
    filing_condition: dict | None
    handle_deadline: datetime | None
    warn_at: datetime | None
    merged_into: str | None
    counters: dict[str, int]
    milestones: dict[str, datetime | None]
    satisfaction: int | None
    assignments: list[AssignmentOut]
    duplicates: list[dict] = Field(
        default_factory=list, description="likely duplicates, before dispatch"
    )
    actions: list[ActionOut]


class AttachmentOut(Schema):
    id: int
    stage: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str
    at: datetime
    comment: str
    data: dict
    attachments: list[AttachmentOut]


# --- what every action carries; each action's own inputs are declared on its row of the
# table (events.workflow) and its body schema derived from them (core.workflow.schemas) ------
class ActionIn(Schema):
    # A field the action does not take is refused (422 extra_forbidden), as the kernel refuses
    # it from any other caller: a misspelt input is never silently ignored.
    model_config = ConfigDict(extra="forbid")

    version: int = Field(..., description="the case version you saw; 409 if it has moved")
    comment: str = Field("", max_length=2000)


class RatingIn(Schema):
    key: str = Field(..., max_length=32, description="the key given with the ticket")
    satisfaction: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


class HotlineOrderIn(Schema):
    """One 12345 work order as the hotline system sends it."""

    order_no: str = Field(..., max_length=64)
    content: str = Field(..., max_length=2000)
    address: str = Field("", max_length=200)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    crs: CRS = "wgs84"
    category: str | None = Field(None, description="catalogue code such as event-01-10")
    caller_name: str = Field("", max_length=60)
    caller_phone: str = Field("", max_length=30)
    urgent: bool = False
    received_at: datetime | None = None


class HotlineResultOut(Schema):
    order_no: str
    ticket: str
    created: bool = Field(..., description="false: this order number was imported before")


class HotlineProblemOut(Schema):
    number: int = Field(..., description="the order's position in the batch, from 1")
    order_no: str
    field: str
    zh: str
    en: str


class HotlineReportOut(Schema):
    """The answer to a batch of hotline orders: 200 imported (or checked), 422 refused whole."""

    ok: bool
    summary: str
    results: list[HotlineResultOut]
    problems: list[HotlineProblemOut]
