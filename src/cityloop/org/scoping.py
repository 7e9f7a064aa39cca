"""Row scoping, enforced in one place: ``Model.objects.visible_to(user)``.

A user sees the records of their own unit and of the units below it; users of the district
unit (and superusers) see everything; anonymous users see nothing. Every list, export, API
and dashboard starts from ``visible_to``; fetching one object goes through
``get_visible_or_404`` so that "missing" and "not yours" look the same.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a unit reached by ``scope_unit_field``.

    ``scope_unit_field`` names the foreign key (or chain, ``community__``) to the owning
    ``Unit``; the empty string means the rows are units themselves.
    """

    scope_unit_field: str = "unit"

    def visible_to(self, user: Any) -> models.QuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        if user.unit is None:
            return self.none()
        prefix = f"{self.scope_unit_field}__" if self.scope_unit_field else ""
        return self.filter(**{f"{prefix}path__startswith": user.unit.path})


def get_visible_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """One object the user may see, or 404 alike for "does not exist" and "not yours"."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(queryset.model._meta.verbose_name) from exc
