"""市民随手拍: citizens report, follow their ticket and rate the result, with no account.

The pages call the same services as the public JSON API (events.api ``public_*``): intake's
``citizen_report``, ``public_following`` (only published sources: no 12345 hotline order, no
leader's instruction) and ``case_rate``. A refusal of a service
(``BadInput``/``ActionRefused``) is shown on the form field it names, and changes nothing.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from ninja.throttling import AnonRateThrottle

from cityloop.core.refusals import ActionRefused
from cityloop.events.models import Case
from cityloop.events.presenters import public_case
from cityloop.events.selectors import public_following
from cityloop.events.services.intake import citizen_report
from cityloop.events.services.rating import case_rate
from cityloop.web.forms import RateForm, ReportForm, TrackForm
from cityloop.web.maps import map_config

SESSION_KEYS = "web.report_keys"  # tickets this browser reported → their keys


class PageThrottle(AnonRateThrottle):
    """Per-IP counter for the citizens' forms (the API's throttle, its own scope)."""

    def __init__(self, scope: str, rate: str) -> None:
        self.scope = scope
        super().__init__(rate)


REPORT_THROTTLE = ("web-report", "30/h")  # as POST /api/public/reports
RATE_THROTTLE = ("web-rate", "60/h")


def _throttled(request: HttpRequest, scope_rate: tuple[str, str]) -> bool:
    return not PageThrottle(*scope_rate).allow_request(request)


def _too_many(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context["throttled"] = True
    return render(request, template, context, status=429)


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "map": map_config()}
    if request.method != "POST":
        return render(request, "web/public/report.html", context)
    if _throttled(request, REPORT_THROTTLE):
        return _too_many(request, "web/public/report.html", context)
    if form.is_valid():
        try:
            case = _report_case(form.cleaned_data)
        except ActionRefused as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            request.session.setdefault(SESSION_KEYS, {})[case.ticket] = case.reporter_key
            request.session.modified = True
            return redirect("web:report_done", ticket=case.ticket)
    return render(request, "web/public/report.html", context, status=422)


def _report_case(data: dict) -> Case:
    """The report and its photos in one transaction, then the key for rating it later."""
    return citizen_report(
        description=data["description"],
        lon=data["lon"],
        lat=data["lat"],
        crs="wgs84",  # the page's map converts from the tiles' system before it sends
        address=data["address"],
        category=data["category"],
        reporter_phone=data["reporter_phone"],
        attachments=data["photos"],
    )


def report_done(request: HttpRequest, ticket: str) -> HttpResponse:
    """The ticket and key, shown to the browser that reported it (kept in its session)."""
    key = request.session.get(SESSION_KEYS, {}).get(ticket)
    if key is None:
        raise Http404
    return render(request, "web/public/done.html", {"ticket": ticket, "key": key})


def track(request: HttpRequest) -> HttpResponse:
    """Look up a ticket (GET ?ticket=…): found → its progress page."""
    form = TrackForm(request.GET or None)
    status = 200
    if form.is_bound and form.is_valid():
        ticket = form.cleaned_data["ticket"].strip().upper()
        if public_following(ticket) is not None:
            return redirect("web:report_case", ticket=ticket)
        form.add_error("ticket", _("No report has this ticket number. Check it and try again."))
        status = 404
    return render(request, "web/public/track.html", {"form": form}, status=status)


def report_case(request: HttpRequest, ticket: str) -> HttpResponse:
    case = public_following(ticket)
    if case is None:
        raise Http404
    key = request.session.get(SESSION_KEYS, {}).get(ticket, "")
    return _case_page(request, case, ticket, RateForm(initial={"key": key}))


def _case_page(request, case: Case, ticket: str, form: RateForm, status: int = 200):
    shown = public_case(case, asked=ticket)
    for photo in shown["photos"]:
        photo["url"] = f"/api/public/reports/{ticket}/photos/{photo['id']}"
    context = {"case": shown, "form": form, "rate_url": reverse("web:report_rate", args=[ticket])}
    return render(request, "web/public/case.html", context, status=status)


@require_POST
def report_rate(request: HttpRequest, ticket: str) -> HttpResponse:
    survivor = public_following(ticket)
    if survivor is None:
        raise Http404
    form = RateForm(request.POST)
    if _throttled(request, RATE_THROTTLE):
        form.is_valid()
        form.add_error(None, _("Too many attempts from your network; try again later."))
        return _case_page(request, survivor, ticket, form, status=429)
    if form.is_valid():
        try:
            case_rate(
                ticket=ticket,
                key=form.cleaned_data["key"],
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("web:report_case", ticket=ticket)
    survivor.refresh_from_db()
    return _case_page(request, survivor, ticket, form, status=422)
