"""Reads of the closed loop: filtered lists, what a user may see of a reporter, the clock, and
what the public may read by ticket. Beside it: ``routing`` (the proposed unit and its reason),
``duplicates`` (likely duplicates, what a merged report follows), ``recipients`` (who is told),
``figures`` (the command centre's key figures, charts and worst overdue cases). Writes are in
``events.services``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from cityloop.events.choices import ACTIVE_ASSIGNMENT_STATES, ClockState, Source
from cityloop.events.models import Attachment, Case, CaseAssignment
from cityloop.events.selectors.duplicates import following
from cityloop.org.choices import Role

# The sources whose cases anyone may read by ticket (the citizens' pages and API, Open311):
# every source but the 12345 hotline's orders and leaders' instructions, whose text operators
# write about callers who did not report to a public map (docs/decisions/0016).
DEFAULT_PUBLISHED_SOURCES = (
    Source.CITIZEN,
    Source.INSPECTOR,
    Source.AI_CAMERA,
    Source.IOT_SENSOR,
    Source.ENTITY_SELF_REPORT,
    Source.OPEN311,
)

# Roles that call reporters back (回访) or decide on their reports see name and phone.
REPORTER_ROLES = (Role.ACCEPTOR, Role.SHIFT_LEADER, Role.DISPATCHER)


@dataclass(frozen=True)
class CaseFilter:
    state: list[str] | None = None
    category: int | None = None
    street: str | None = None  # 9-digit code
    community: str | None = None  # 12-digit code
    source: list[str] | None = None
    reported_after: datetime | None = None
    reported_before: datetime | None = None
    overdue: bool | None = None
    mine: bool = False
    q: str | None = None


def cases_for(user, filters: CaseFilter) -> QuerySet[Case]:
    """The cases a user may see, filtered as the list, the export and the API ask."""
    cases = Case.objects.visible_to(user).select_related(
        "category", "category__major", "street", "community"
    )
    f = filters
    if f.state:
        cases = cases.filter(state__in=f.state)
    if f.category:
        cases = cases.filter(category_id=f.category)
    if f.street:
        cases = cases.filter(street__code=f.street)
    if f.community:
        cases = cases.filter(community__code=f.community)
    if f.source:
        cases = cases.filter(source__in=f.source)
    if f.reported_after:
        cases = cases.filter(reported_at__gte=f.reported_after)
    if f.reported_before:
        cases = cases.filter(reported_at__lt=f.reported_before)
    if f.overdue is not None:
        overdue = Q(clock_state=ClockState.OVERDUE)
        cases = cases.filter(overdue) if f.overdue else cases.exclude(overdue)
    if f.mine and user.unit_id:
        mine = CaseAssignment.objects.filter(case=OuterRef("pk"), unit_id=user.unit_id)
        cases = cases.filter(Exists(mine))
    if f.q:
        cases = cases.filter(
            Q(ticket__icontains=f.q.strip()) | Q(description__icontains=f.q.strip())
        )
    return cases.order_by("-reported_at", "-id")


def unit_open_cases(user, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """处置台: the cases (of ``cases``, as the user may see them) on which the user's unit has
    an active task. A task ends with its case, so this is open work only; the unit's active
    tasks are read first through the assignments' (unit, state) index, and the cases by key,
    so the desk reads a few rows however long the unit's past."""
    if user.unit_id is None:
        return Case.objects.none()
    tasks = CaseAssignment.objects.filter(
        unit_id=user.unit_id, state__in=sorted(ACTIVE_ASSIGNMENT_STATES)
    )
    base = Case.objects.all() if cases is None else cases
    return base.visible_to(user).filter(pk__in=tasks.values("case_id"))


def mask_name(name: str) -> str:
    """张三丰 → 张**; PIPL (个人信息保护法): only those who need it see a reporter."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "*" * len(digits)


def reporter_view(user, case: Case) -> dict[str, str]:
    """The reporter as this user may see them: in full for the centre's roles, else masked."""
    if user is not None and (user.is_superuser or user.has_role(*REPORTER_ROLES)):
        return {"name": case.reporter_name, "phone": case.reporter_phone}
    return {"name": mask_name(case.reporter_name), "phone": mask_phone(case.reporter_phone)}


def published_sources() -> tuple[str, ...]:
    """The published sources: setting ``CITYLOOP_OPEN311_PUBLIC_SOURCES``, read when used."""
    return tuple(getattr(settings, "CITYLOOP_OPEN311_PUBLIC_SOURCES", DEFAULT_PUBLISHED_SOURCES))


def published_case(ticket: str) -> Case | None:
    """The case a ticket names, if its source is published; None alike for unknown and hidden."""
    return Case.objects.filter(ticket=ticket, source__in=published_sources()).first()


def public_following(ticket: str) -> Case | None:
    """The case the public follows by a published ticket: the surviving case if it was merged."""
    return following(ticket) if published_case(ticket) is not None else None


def published_photo(ticket: str, attachment_id: int) -> Attachment | None:
    """A photo with a public copy that a public page shows under this ticket, or None.

    The ticket's own photos (Open311 publishes them, ``media_url``) and, for a merged report,
    the surviving case's (the progress page shows the case its reporter follows).
    """
    own = published_case(ticket)
    if own is None:
        return None
    shown = following(ticket) or own
    photos = Attachment.objects.filter(case_id__in={own.pk, shown.pk}, pk=attachment_id)
    return photos.exclude(public_file="").first()
