"""Row scoping, enforced in one place: ``Model.objects.visible_to(user)``.

A user sees the records of their own unit and of the units below it; users of the district
unit (and superusers) see everything; anonymous users and users without a unit see nothing.
Every list, export, API, dashboard and suggestion starts from ``visible_to``; fetching one
object goes through ``get_visible_or_404`` so that "missing" and "not yours" look the same
(CONVENTIONS §9). A model says where its rows belong with ``scope_unit_fields`` on its
queryset, or, when belonging is more than a unit field (a case is also its assigned units'),
by overriding ``in_area``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M]):
    """A queryset whose rows belong to the units reached by ``scope_unit_fields``.

    Each entry names a foreign key (or a chain, ``point__community``) to an owning ``Unit``; a
    row belongs to the area of each of them (they are OR-ed). The empty string means the rows
    are units themselves.
    """

    scope_unit_fields: tuple[str, ...] = ("unit",)

    def in_area(self, unit: Any) -> Q:
        """The rows that belong to ``unit`` or to a unit below it."""
        condition = Q(pk__in=[])
        for name in self.scope_unit_fields:
            condition |= Q(
                **{f"{name}__path__startswith" if name else "path__startswith": unit.path}
            )
        return condition

    def visible_to(self, user: Any) -> ScopedQuerySet[M]:
        if user is None or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        if user.unit is None:
            return self.none()
        return self.filter(self.in_area(user.unit))


def get_visible_or_404(queryset: ScopedQuerySet[M], user: Any, **lookup: Any) -> M:
    """One object the user may see, or 404 alike for "does not exist" and "not yours"."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404(queryset.model._meta.verbose_name) from exc
