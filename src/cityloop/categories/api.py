"""JSON API of the category catalogue (django-ninja router, mounted by cityloop.api).

Read-only: the catalogue is edited in the admin and loaded by ``cityloop import_categories``.
"""

from __future__ import annotations

from django.http import Http404
from ninja import Field, Query, Router, Schema

from cityloop.categories import selectors
from cityloop.categories.choices import CategoryKind, NameComparison, TimeLimitUnit
from cityloop.worktime.choices import ClockKind

router = Router()

TWO_DIGITS = r"^[0-9]{2}$"


class MinorOut(Schema):
    kind: CategoryKind = Field(..., alias="major.kind")
    major_code: str = Field(..., alias="major.code")
    major_name: str = Field(..., alias="major.name")
    code: str
    code_path: str = Field(..., description="major-minor, e.g. 01-10")
    name: str
    gbt47678_code: str = Field(..., description="GB/T 47678.5-2026 code, or empty")
    gbt47678_name: str
    name_comparison: NameComparison
    is_local_extension: bool
    handler_unit_kind: str
    handler_department_function: str
    is_active: bool


class ConditionOut(Schema):
    sequence: int
    filing_condition: str
    closing_condition: str
    time_limit: str = Field(..., description="as written, e.g. 2紧急工作时")
    time_limit_amount: int
    time_limit_unit: TimeLimitUnit
    required_action: str
    duration_minutes: int = Field(..., description="on the clock below, under current settings")
    clock: ClockKind


class MinorDetailOut(MinorOut):
    filing_conditions: list[ConditionOut]


class MinorBriefOut(Schema):
    code: str
    name: str
    is_local_extension: bool


class MajorTreeOut(Schema):
    kind: CategoryKind
    code: str
    name: str
    minors: list[MinorBriefOut]


class MinorFilter(Schema):
    kind: CategoryKind | None = None
    major: str | None = Field(None, pattern=TWO_DIGITS, description="2-digit major code")
    q: str | None = Field(None, description="name, GB/T 47678.5 code, or 01-10")
    local_extension: bool | None = None
    include_inactive: bool = False


@router.get("/", response=list[MinorOut], summary="Minor categories 小类列表")
def minor_list(request, filters: Query[MinorFilter]):
    return selectors.minor_categories(
        kind=filters.kind,
        major=filters.major,
        q=filters.q,
        is_local_extension=filters.local_extension,
        include_inactive=filters.include_inactive,
    )


@router.get("/tree", response=list[MajorTreeOut], summary="Majors and their minors 分类树")
def category_tree(request, kind: CategoryKind | None = None, include_inactive: bool = False):
    majors = selectors.category_tree(kind=kind, include_inactive=include_inactive)
    return [_tree_node(major) for major in majors]


@router.get(
    "/{kind}/{major}/{minor}",
    response=MinorDetailOut,
    summary="A minor category with its filing conditions 小类及立结案条件",
)
def minor_detail(request, kind: str, major: str, minor: str):
    found = selectors.minor_category_by_code(kind=kind, major_code=major, minor_code=minor)
    if found is None:
        raise Http404("no such category")
    return found


def _tree_node(major) -> dict:
    minors = [
        {"code": m.code, "name": m.name, "is_local_extension": m.is_local_extension}
        for m in major.minors.all()
    ]
    return {"kind": major.kind, "code": major.code, "name": major.name, "minors": minors}
