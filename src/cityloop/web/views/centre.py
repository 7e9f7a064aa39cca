"""The command centre 指挥中心: the page, its HTMX panels and its JSON data endpoints.

Reads only. Every number starts from ``Case.objects.visible_to(user)`` (cityloop.web.centre);
nothing is cached, so figures are at most one refresh old. The page refreshes itself: HTMX
polls the panels, ``centre.js`` fetches the charts and the map data (every
``REFRESH_SECONDS``).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cityloop.events.selectors.figures import PERIODS, charts, key_figures, worst_overdue
from cityloop.web.centre.access import may_see_centre
from cityloop.web.centre.mapdata import BadBox, Box, open_cases_map
from cityloop.web.maps import map_config

REFRESH_SECONDS = 30
PANELS = {"figures", "overdue"}


def centre_required(view):
    """Centre staff only: the sign-in page for anonymous pages, 403 for everyone else."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.path.startswith("/centre/data/"):
                return JsonResponse({"detail": _("Sign in first.")}, status=401)
            if getattr(request, "htmx", False):  # a poll after the session ended: whole page
                to_login = redirect_to_login(reverse("web:centre"))
                return HttpResponse(headers={"HX-Redirect": to_login["Location"]})
            return redirect_to_login(request.get_full_path())
        if not may_see_centre(request.user):
            raise PermissionDenied(_("The command centre is for leaders and dispatchers."))
        return view(request, *args, **kwargs)

    return wrapper


def _config() -> dict:
    """What centre.js needs: the data URLs, the refresh period, the tile settings."""
    return {
        "refresh": REFRESH_SECONDS,
        "urls": {
            "figures": reverse("web:centre_data_figures"),
            "charts": reverse("web:centre_data_charts"),
            "cases": reverse("web:centre_data_cases"),
            "overdue": reverse("web:centre_data_overdue"),
        },
        "map": map_config(),
        "labels": {
            "on_time": _("On time"),
            "warning": _("Warning"),
            "overdue": _("Overdue"),
            "stopped": _("Suspended"),
            "cases": _("cases"),
            "other": _("Other categories"),
            "unknown_street": _("No street"),
            "reported": _("Cases reported"),
        },
    }


@never_cache
@require_GET
@centre_required
def centre(request: HttpRequest) -> HttpResponse:
    """The big screen: map, key figures, charts, the worst overdue cases."""
    context = {
        "figures": key_figures(request.user),
        "overdue": worst_overdue(request.user),
        "config": _config(),
        "refresh": REFRESH_SECONDS,
    }
    return render(request, "web/centre/page.html", context)


@never_cache
@require_GET
@centre_required
def panel(request: HttpRequest, name: str) -> HttpResponse:
    """One panel of the page, re-rendered for HTMX polling."""
    if name not in PANELS:
        raise Http404(name)
    if name == "figures":
        context = {"figures": key_figures(request.user)}
    else:
        context = {"overdue": worst_overdue(request.user)}
    return render(request, f"web/centre/partials/{name}.html", context)


def _json(data) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


@never_cache
@require_GET
@centre_required
def data_figures(request: HttpRequest) -> JsonResponse:
    return _json(key_figures(request.user))


@never_cache
@require_GET
@centre_required
def data_charts(request: HttpRequest) -> JsonResponse:
    period = request.GET.get("period", "month")
    if period not in PERIODS:
        detail = _("period must be today or month.")
        return JsonResponse({"detail": detail, "field": "period"}, status=400)
    return _json(charts(request.user, period))


@never_cache
@require_GET
@centre_required
def data_cases(request: HttpRequest) -> JsonResponse:
    try:
        box = Box.parse(request.GET.get("bbox"))
    except BadBox:
        detail = _("bbox must be west,south,east,north in degrees (WGS-84).")
        return JsonResponse({"detail": detail, "field": "bbox"}, status=400)
    return _json(open_cases_map(request.user, box))


@never_cache
@require_GET
@centre_required
def data_overdue(request: HttpRequest) -> JsonResponse:
    return _json({"cases": worst_overdue(request.user)})
