"""Evidence packages 证据包 as a web page: the packages of the user's area, each verified on
request (an HTMX POST that shows the result in place) and exported as a ZIP that ``sha256sum``
checks. Who may read and which packages are the API's rules (``cityloop.sorting.api``:
``may_read_evidence``, ``packages_visible_to``; docs/devices.md)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from cityloop.core.i18n import bilingual
from cityloop.sorting import evidence, evidence_export
from cityloop.sorting.api import may_read_evidence
from cityloop.sorting.models import EvidencePackage
from cityloop.sorting.selectors import packages_visible_to
from cityloop.web.sorting import access

LIMIT = 200  # the newest packages shown


def _readers_only(user) -> None:
    if not may_read_evidence(user):
        raise PermissionDenied(
            bilingual(
                _(
                    "Evidence packages are for inspectors, leaders, administrators, enforcement "
                    "officers and legal reviewers of a district, street or community."
                )
            )
        )


def _package(user, number: str) -> EvidencePackage:
    """One package of the user's area; 404 alike for missing and not theirs."""
    package = packages_visible_to(user).filter(number=number).first()
    if package is None:
        raise Http404(_("No such evidence package among yours."))
    return package


@login_required
@require_GET
def package_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _readers_only(user)
    packages = list(packages_visible_to(user).order_by("-sealed_at", "-pk")[:LIMIT])
    context = {"packages": packages, "limit": LIMIT, "back": access.may_see_sorting(user)}
    return render(request, "web/sorting/evidence.html", context)


@login_required
@require_POST
def package_verify(request: HttpRequest, number: str) -> HttpResponse:
    """Recompute the package's chain, records and images (against the package before it)."""
    _readers_only(request.user)
    package = _package(request.user, number)
    report = evidence.verify(packages=[package])
    context = {"package": package, "report": report}
    return render(request, "web/sorting/partials/evidence_verify.html", context)


@login_required
@require_GET
def package_export(request: HttpRequest, number: str) -> HttpResponse:
    _readers_only(request.user)
    package = _package(request.user, number)
    response = HttpResponse(evidence_export.package_zip(package), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.number}.zip"'
    return response
