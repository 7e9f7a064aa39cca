"""JSON API of the organisation: who am I, and the units I may see."""

from django.db.models import Q
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cityloop.core.pagination import PageNumbers
from cityloop.core.scoping import get_visible_or_404
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit

router = Router()


class UnitOut(Schema):
    id: int
    kind: UnitKind
    name: str
    short_name: str
    code: str | None
    credit_code: str | None
    parent_id: int | None
    entity_kind: str
    function: str
    is_active: bool


class MeOut(Schema):
    username: str
    display_name: str
    unit: UnitOut | None
    roles: list[str]
    sees_everything: bool


class UnitFilter(Schema):
    kind: UnitKind | None = None
    parent: int | None = Field(None, description="id of the parent unit")
    q: str | None = Field(None, description="name or code contains")


@router.get("/me", response=MeOut, summary="The logged-in user 当前用户")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "display_name": user.display_name,
        "unit": user.unit,
        "roles": sorted(user.roles),
        "sees_everything": user.sees_everything,
    }


@router.get("/units", response=list[UnitOut], summary="Units I may see 可见单位")
@paginate(PageNumbers, page_size=100)
def unit_list(request, filters: Query[UnitFilter]):
    units = Unit.objects.visible_to(request.user)
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.parent:
        units = units.filter(parent_id=filters.parent)
    if filters.q:
        units = units.filter(
            Q(name__icontains=filters.q) | Q(code__startswith=filters.q) | Q(credit_code=filters.q)
        )
    return units.order_by("path")


@router.get("/units/{unit_id}", response=UnitOut, summary="One unit 单位详情")
def unit_detail(request, unit_id: int):
    return get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id)
