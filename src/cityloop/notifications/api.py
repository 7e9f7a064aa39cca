"""JSON API of notifications (mounted by cityloop.api at /api/notifications/): my messages,
newest first, and marking them read. Every read starts from the logged-in user's own rows."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cityloop.core.api_errors import ApiError
from cityloop.core.pagination import PageNumbers
from cityloop.notifications.models import Notification
from cityloop.notifications.services import notifications_mark_read

router = Router()

IDS_OR_ALL = _("Name the notifications to mark read (ids), or set all to true.")


class NotificationOut(Schema):
    id: int
    kind: str
    message_zh: str
    message_en: str
    case: str | None = Field(None, description="the case's ticket number, if about a case")
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_case(obj: Notification) -> str | None:
        return obj.case.ticket if obj.case is not None else None


class NotificationFilter(Schema):
    unread: bool | None = Field(None, description="true: unread only; false: read only")


class ReadIn(Schema):
    ids: list[int] | None = Field(None, description="ids of my notifications to mark read")
    all: bool = Field(False, description="mark every notification of mine read")


class ReadOut(Schema):
    marked: int
    unread: int


@router.get("/", response=list[NotificationOut], summary="My notifications 我的通知")
@paginate(PageNumbers, page_size=50)
def notification_list(request, filters: Query[NotificationFilter]):
    mine = Notification.objects.filter(user=request.user).select_related("case")
    if filters.unread is not None:
        mine = mine.filter(read_at__isnull=filters.unread)
    return mine.order_by("-created_at", "-id")


@router.post("/read", response={200: ReadOut}, summary="Mark read 标记已读")
def notification_read(request, body: ReadIn):
    """Mark the listed notifications (or all of them) read; others' ids are ignored."""
    if body.all == (body.ids is not None):
        raise ApiError(422, "ids", IDS_OR_ALL, "ids_or_all")
    marked = notifications_mark_read(user=request.user, ids=None if body.all else body.ids)
    unread = Notification.objects.filter(user=request.user).unread().count()
    return {"marked": marked, "unread": unread}
