"""Reads of the Open311 interface: the services offered, the public cases, tokens.

Every case read starts from :func:`public_cases` (the sources the bureau publishes, setting
``CITYLOOP_OPEN311_PUBLIC_SOURCES``); a case outside it answers 404 like a missing one.
Lists cost the same number of queries whatever their length.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from cityloop.categories.models import FilingCondition, MinorCategory
from cityloop.events.choices import OPEN_STATES, CaseState
from cityloop.events.models import Attachment, Case
from cityloop.open311 import config
from cityloop.open311.choices import Status
from cityloop.open311.filters import RequestFilters
from cityloop.open311.mapping import service_code_parts
from cityloop.open311.models import Submission


def active_services() -> list[MinorCategory]:
    """Every active minor category in code order, with its filing conditions (two queries)."""
    conditions = Prefetch(
        "filing_conditions", queryset=FilingCondition.objects.order_by("sequence")
    )
    minors = MinorCategory.objects.active().select_related("major").prefetch_related(conditions)
    return list(minors.order_by("major__kind", "major__code", "code"))


def service_by_code(code: str) -> MinorCategory | None:
    """The active minor category a ``service_code`` names, or None."""
    parts = service_code_parts(code)
    if parts is None:
        return None
    kind, major, minor = parts
    minors = MinorCategory.objects.active().select_related("major")
    return minors.filter(major__kind=kind, major__code=major, code=minor).first()


def public_cases() -> QuerySet[Case]:
    """The cases GET may show, with what a request document reads (constant query count)."""
    photos = Attachment.objects.exclude(public_file="").order_by("created_at", "id")
    return (
        Case.objects.filter(source__in=config.public_sources())
        .select_related("category__major", "merged_into")
        .prefetch_related(Prefetch("attachments", queryset=photos, to_attr="public_photos"))
    )


def request_by_ticket(ticket: str) -> Case | None:
    return public_cases().filter(ticket=ticket).first()


def request_page(filters: RequestFilters) -> tuple[list[Case], int]:
    """One page of the filtered cases, newest first, and how many match in all."""
    cases = public_cases().filter(_matching(filters)).order_by("-reported_at", "-id")
    total = cases.count()
    first = (filters.page - 1) * filters.page_size
    return list(cases[first : first + filters.page_size]), total


def _matching(f: RequestFilters) -> Q:
    if f.ids:
        return Q(ticket__in=f.ids)  # overrides every other argument (GeoReport v2)
    match = Q()
    if f.service_codes:
        match &= _of_services(f.service_codes)
    if f.statuses:
        match &= _of_statuses(f.statuses)
    if f.start:
        match &= Q(reported_at__gte=f.start)
    if f.end:
        match &= Q(reported_at__lte=f.end)
    if f.updated_after or f.updated_before:
        match &= _updated_between(f.updated_after, f.updated_before)
    return match


def _of_services(codes: tuple[str, ...]) -> Q:
    match = Q(pk__in=[])
    for kind, major, minor in filter(None, map(service_code_parts, codes)):
        match |= Q(category__major__kind=kind, category__major__code=major, category__code=minor)
    return match


def _of_statuses(statuses: tuple[str, ...]) -> Q:
    """Open or closed as shown: a merged case counts with the case it was merged into."""
    is_open = Q(state__in=OPEN_STATES) | Q(
        state=CaseState.MERGED, merged_into__state__in=OPEN_STATES
    )
    if set(statuses) == {Status.OPEN, Status.CLOSED}:
        return Q()
    return is_open if Status.OPEN in statuses else ~is_open


def _updated_between(after, before) -> Q:
    """On the last change of the case, or of the case it was merged into (whose status shows)."""
    own, survivor = Q(), Q(state=CaseState.MERGED)
    if after:
        own &= Q(updated_at__gte=after)
        survivor &= Q(merged_into__updated_at__gte=after)
    if before:
        own &= Q(updated_at__lte=before)
        survivor &= Q(merged_into__updated_at__lte=before)
    return own | survivor


def submission_by_token(token: str) -> Submission | None:
    return Submission.objects.select_related("case").filter(token=token).first()
