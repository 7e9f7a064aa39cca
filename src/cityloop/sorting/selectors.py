"""Reads of the sorting app: what a user may see (row scoping, ``core.scoping``), with the rows
the lists and pages show beside each one. The API and the pages read through these."""

from __future__ import annotations

from django.db.models import QuerySet

from cityloop.sorting.models import CollectionTask, EvidencePackage


def tasks_visible_to(user) -> QuerySet[CollectionTask]:
    """The collection tasks of the user's contractor, or of the points in the user's area."""
    return CollectionTask.objects.visible_to(user).select_related("point", "contractor")


def packages_visible_to(user) -> QuerySet[EvidencePackage]:
    """The evidence packages of the households and units in the user's area."""
    rows = EvidencePackage.objects.visible_to(user)
    return rows.select_related("household", "unit", "sealed_by")
