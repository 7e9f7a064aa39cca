"""Reads of the category catalogue: the tree a case form offers, filtered lists, code lookups."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet

from cityloop.categories.models import FilingCondition, MajorCategory, MinorCategory


def minor_categories(
    *,
    kind: str | None = None,
    major: str | None = None,
    q: str | None = None,
    is_local_extension: bool | None = None,
    include_inactive: bool = False,
) -> QuerySet[MinorCategory]:
    """Minor categories with their majors, filtered; ``q`` matches names and codes."""
    minors = MinorCategory.objects.select_related("major", "directory_item")
    if not include_inactive:
        minors = minors.active()
    if kind:
        minors = minors.filter(major__kind=kind)
    if major:
        minors = minors.filter(major__code=major)
    if is_local_extension is not None:
        minors = minors.filter(is_local_extension=is_local_extension)
    if q and q.strip():
        minors = minors.filter(_text_matches(q.strip()))
    return minors.order_by("major__kind", "major__code", "code")


def category_tree(
    *, kind: str | None = None, include_inactive: bool = False
) -> list[MajorCategory]:
    """Majors in code order, each with ``minors`` prefetched in code order (two queries)."""
    minors = MinorCategory.objects.order_by("code")
    if not include_inactive:
        minors = minors.active()
    majors = MajorCategory.objects.prefetch_related(Prefetch("minors", queryset=minors))
    if kind:
        majors = majors.filter(kind=kind)
    return list(majors.order_by("kind", "code"))


def minor_category_by_code(*, kind: str, major_code: str, minor_code: str) -> MinorCategory | None:
    """The minor category at ``kind major-minor`` (active or not), with its filing conditions."""
    conditions = Prefetch(
        "filing_conditions", queryset=FilingCondition.objects.order_by("sequence")
    )
    return (
        MinorCategory.objects.select_related("major", "directory_item")
        .prefetch_related(conditions)
        .filter(major__kind=kind, major__code=major_code, code=minor_code)
        .first()
    )


def _text_matches(text: str) -> Q:
    match = (
        Q(name__icontains=text)
        | Q(gbt47678_name__icontains=text)
        | Q(major__name__icontains=text)
        | Q(gbt47678_code=text)
    )
    major_code, _dash, minor_code = text.partition("-")
    if minor_code:
        match |= Q(major__code=major_code, code=minor_code)
    return match


def condition_limit(condition: FilingCondition, area_class: str) -> tuple[timedelta, str]:
    """The handling limit of a filing condition in an area class: (duration, clock)."""
    from cityloop.categories.models import AreaTimeLimit

    override = AreaTimeLimit.objects.filter(condition=condition, area_class=area_class).first()
    source = override or condition
    return source.duration, source.clock
