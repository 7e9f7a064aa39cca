"""The garbage-sorting pages 垃圾分类 (docs/web.md, garbage sorting): the dashboard with its HTMX
panel and JSON data endpoints, the point detail and the household lookup.

Reads only. Access and row scoping: ``cityloop.web.sorting.access`` (docs/decisions/0027).
The dashboard's numbers come from ``cityloop.sorting.indicators`` (roll-ups, never records);
``sorting.js`` draws the map and charts from the data endpoints and refreshes them every
``REFRESH_SECONDS``; the figures panel polls with HTMX.
"""

from __future__ import annotations

import re
from functools import wraps

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cityloop.core.i18n import bilingual, both, lazy_format
from cityloop.org.models import Unit
from cityloop.sorting import indicators
from cityloop.web.maps import map_config
from cityloop.web.sorting import access, dashboard, detail

REFRESH_SECONDS = 60
CODE = re.compile(r"^[\w\-.:]{1,64}$")


class NotVisible(Exception):
    """The ``unit`` asked for is unknown or outside the user's units."""


def sorting_required(view):
    """District, street and community staff: sign-in for anonymous users, 403 for others."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.path.startswith("/sorting/data/"):
                item = {"field": "__all__", "code": "not_authenticated"}
                item.update(both(gettext_lazy("Sign in first.")))
                return _json({"detail": [item]}, status=401)
            if getattr(request, "htmx", False):
                to_login = redirect_to_login(reverse("web:sorting"))
                return HttpResponse(headers={"HX-Redirect": to_login["Location"]})
            return redirect_to_login(request.get_full_path())
        if not access.may_see_sorting(request.user):
            raise PermissionDenied(
                _("The garbage-sorting pages are for district, street and community staff.")
            )
        return view(request, *args, **kwargs)

    return wrapper


def _unit(request: HttpRequest) -> Unit:
    """``?unit=<division code>`` among the user's units, else the user's own unit."""
    code = request.GET.get("unit", "").strip()
    if not code:
        unit = access.home_unit(request.user)
        if unit is None:
            raise NotVisible
        return unit
    unit = access.visible_units(request.user).filter(code=code).first()
    if unit is None:
        raise NotVisible
    return unit


def _page_unit(request: HttpRequest) -> Unit:
    try:
        return _unit(request)
    except NotVisible:
        raise Http404(_("No such unit among yours.")) from None


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data,
        status=status,
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


def _bad(field: str, message, status: int = 400) -> JsonResponse:
    """The API's error shape: field by field, Chinese and English."""
    return _json({"detail": [{"field": field, "code": "invalid", **both(message)}]}, status=status)


def _config(unit: Unit) -> dict:
    query = f"?unit={unit.code}" if unit.code else ""
    return {
        "refresh": REFRESH_SECONDS,
        "unit": unit.code or "",
        "urls": {
            "points": reverse("web:sorting_data_points") + query,
            "charts": reverse("web:sorting_data_charts") + query,
            "point": reverse("web:sorting_point", args=["CODE"]),
        },
        "bands": {"good": dashboard.GOOD, "fair": dashboard.FAIR},
        "map": map_config(),
        "labels": dashboard.chart_labels(),
    }


def _crumbs(user, unit: Unit) -> list[Unit]:
    """The unit's ancestors the user may open, for the "up" links."""
    visible = set(access.visible_units(user).values_list("pk", flat=True))
    return [u for u in unit.ancestors() if u.pk in visible and u.pk != unit.pk]


@never_cache
@require_GET
@sorting_required
def sorting_dashboard(request: HttpRequest) -> HttpResponse:
    """Headline indicators, the map of points, trends and the ranking of child units."""
    unit = _page_unit(request)
    context = {
        "unit": unit,
        "crumbs": _crumbs(request.user, unit),
        "figures": dashboard.figures(unit),
        "ranking": dashboard.child_ranking(unit),
        "config": _config(unit),
        "refresh": REFRESH_SECONDS,
        "may_look_up": access.may_look_up_households(request.user),
    }
    return render(request, "web/sorting/dashboard.html", context)


@never_cache
@require_GET
@sorting_required
def sorting_panel(request: HttpRequest) -> HttpResponse:
    """The figures panel, re-rendered for HTMX polling."""
    unit = _page_unit(request)
    context = {"unit": unit, "figures": dashboard.figures(unit)}
    return render(request, "web/sorting/partials/figures.html", context)


@never_cache
@require_GET
@sorting_required
def data_points(request: HttpRequest) -> JsonResponse:
    try:
        unit = _unit(request)
    except NotVisible:
        return _bad("unit", gettext_lazy("No such unit among yours."), status=404)
    period = request.GET.get("period", "month")
    if period not in dashboard.PERIODS:
        return _bad("period", gettext_lazy("period must be today or month."))
    return _json(dashboard.points_map(unit, period))


@never_cache
@require_GET
@sorting_required
def data_charts(request: HttpRequest) -> JsonResponse:
    try:
        unit = _unit(request)
    except NotVisible:
        return _bad("unit", gettext_lazy("No such unit among yours."), status=404)
    by = request.GET.get("by", "correct_sorting_rate")
    if by not in indicators.RATE_NAMES:
        return _bad("by", gettext_lazy("by must be the name of a rate indicator."))
    return _json(dashboard.charts(unit, by=by))


@never_cache
@require_GET
@sorting_required
def point_page(request: HttpRequest, code: str) -> HttpResponse:
    """A collection point: registry, bins, devices, today's records, alarms and tasks."""
    point = (
        access.visible_points(request.user)
        .select_related("community", "community__parent", "grid", "contractor")
        .filter(code=code)
        .first()
    )
    if point is None:
        raise Http404(_("No such collection point among yours."))
    context = detail.point_context(request.user, point, request.GET.get("page"))
    if getattr(request, "htmx", False) and request.GET.get("page"):
        return render(request, "web/sorting/partials/records.html", context)
    return render(request, "web/sorting/point.html", context)


class HouseholdLookupForm(forms.Form):
    INVALID = gettext_lazy(
        "A household id or card id has only letters, digits, hyphens, underscores, dots and "
        "colons, without spaces."
    )
    q = forms.CharField(
        label=gettext_lazy("Household id or card id"),
        max_length=64,
        required=True,
        error_messages={
            "required": gettext_lazy("Enter a household id or a card id."),
            "max_length": gettext_lazy("A household id or card id has at most 64 characters."),
        },
    )

    def clean_q(self) -> str:
        value = self.cleaned_data["q"].strip()
        if not CODE.match(value):
            raise forms.ValidationError(self.INVALID, code="invalid")
        return value

    def bilingual_errors(self) -> None:
        """Field errors in Chinese and English, whatever the page's language."""
        for name, errors in list(self.errors.items()):
            self.errors[name] = self.error_class(
                [
                    bilingual(lazy_format(e.message, e.params) if e.params else e.message)
                    for e in errors.as_data()
                ]
            )


@never_cache
@require_GET
@sorting_required
def household_lookup(request: HttpRequest) -> HttpResponse:
    """Look a household up by its id or a card id (authorised roles, within their units)."""
    if not access.may_look_up_households(request.user):
        raise PermissionDenied(
            _(
                "Looking up households is for inspectors, leaders, administrators and "
                "enforcement officers."
            )
        )
    context: dict = {"may_see_address": access.may_see_address(request.user)}
    status = 200
    if "q" in request.GET:
        form = HouseholdLookupForm(request.GET)
        if form.is_valid():
            q = form.cleaned_data["q"]
            household = detail.find_household(access.visible_households(request.user), q)
            if household is None:
                status = 404
                context["not_found"] = q
            else:
                context.update(detail.household_context(request.user, household))
        else:
            form.bilingual_errors()
            status = 400
    else:
        form = HouseholdLookupForm()
    context["form"] = form
    return render(request, "web/sorting/households.html", context, status=status)
