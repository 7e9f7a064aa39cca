"""The workbenches: dispatcher 派遣台, handling unit 处置台, inspector 监督员."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse

from cityloop.core.refusals import BadInput
from cityloop.events.choices import CaseState
from cityloop.events.selectors import unit_open_cases
from cityloop.events.services.intake import case_report
from cityloop.org.choices import Role
from cityloop.web.maps import map_config
from cityloop.web.staff_forms import InspectorReportForm
from cityloop.web.views.staff_common import CENTRE_ROLES, roles_required, staff_cases
from cityloop.web.views.staff_rows import distance_m, row_context

DISPATCH_STATES = [CaseState.REPORTED, CaseState.ACCEPTED, CaseState.CONFIRMING, CaseState.FILED]
INSPECT_STATES = [CaseState.CONFIRMING, CaseState.FED_BACK]
PAGE_SIZE = 20
NEAR_LIMIT = 2000  # the inspector's points ranked by distance, in Python, at most


def _by_deadline(cases):
    return cases.order_by(F("deadline").asc(nulls_last=True), "reported_at", "id")


def _page(request, cases):
    return Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))


@roles_required(*CENTRE_ROLES)
def dispatch_board(request):
    """派遣台: reports waiting to be accepted, confirmed, filed or dispatched, oldest clock
    first, each with its routing proposal and candidate duplicates."""
    wanted = request.GET.get("state")
    states = [wanted] if wanted in DISPATCH_STATES else DISPATCH_STATES
    cases = _by_deadline(staff_cases().visible_to(request.user).filter(state__in=states))
    page = _page(request, cases)
    rows = [row_context(request.user, c, "dispatch") for c in page]
    context = {
        "page": page,
        "rows": rows,
        "states": [(s.value, s.label) for s in DISPATCH_STATES],
        "wanted": wanted if wanted in DISPATCH_STATES else "",
        "query": f"state={wanted}" if wanted in DISPATCH_STATES else "",
    }
    template = "web/staff/dispatch.html"
    if request.htmx and request.htmx.target == "board":
        template = "web/staff/partials/dispatch_board.html"
    return render(request, template, context)


@roles_required(Role.HANDLER)
def task_board(request):
    """处置台: my unit's open tasks, nearest deadline first (a task ends with its case)."""
    cases = _by_deadline(unit_open_cases(request.user, staff_cases()))
    page = _page(request, cases)
    rows = [row_context(request.user, c, "task") for c in page]
    template = "web/staff/tasks.html"
    if request.htmx and request.htmx.target == "board":
        template = "web/staff/partials/task_board.html"
    return render(request, template, {"page": page, "rows": rows})


def _here(request) -> tuple[float, float] | None:
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
    except (KeyError, ValueError):
        return None
    return (lon, lat) if -180 <= lon <= 180 and -90 <= lat <= 90 else None


def _nearest(cases, here, limit: int) -> list:
    """The ``limit`` cases nearest to ``here``: distances from a light (pk, lon, lat) read,
    then the full rows of the nearest only (the page's queries do not grow with the list)."""
    points = cases.values_list("pk", "lon", "lat")[:NEAR_LIMIT]
    measured = [(distance_m(here[0], here[1], lon, lat), pk) for pk, lon, lat in points]
    measured.sort(key=lambda m: (m[0] is None, m[0] or 0.0))
    order = [pk for _, pk in measured[:limit]]
    rows = {c.pk: c for c in cases.filter(pk__in=order)}
    return [rows[pk] for pk in order]


@roles_required(Role.INSPECTOR)
def inspect_board(request):
    """监督员: report an event, and the confirmations and checks waiting, nearest first when
    the phone's position is known."""
    here = _here(request)
    cases = _by_deadline(staff_cases().visible_to(request.user).filter(state__in=INSPECT_STATES))
    chosen = _nearest(cases, here, PAGE_SIZE) if here else list(cases[:PAGE_SIZE])
    rows = [row_context(request.user, c, "inspect", here=here) for c in chosen]
    context = {
        "rows": rows,
        "here": here,
        "form": InspectorReportForm(),
        "map": map_config(),
        "reported": request.GET.get("reported", ""),
    }
    template = "web/staff/inspect.html"
    if request.htmx and request.htmx.target == "inspect-tasks":
        template = "web/staff/partials/inspect_tasks.html"
    return render(request, template, context)


@roles_required(Role.INSPECTOR)
def inspect_report(request):
    """An inspector's report (source: inspector), with position and photos; one service."""
    form = InspectorReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            intake = case_report(
                source="inspector",
                reported_by=request.user,
                description=d["description"],
                lon=d["lon"],
                lat=d["lat"],
                address=d["address"],
                category=d["category"],
                urgency=d["urgency"],
                attachments=d["photos"],
            )
        except BadInput as exc:
            field = exc.field.split(".")[0]
            field = "photos" if field in ("files", "attachments") else field
            form.add_error(field if field in form.fields else None, str(exc.message))
        else:
            url = reverse("web:staff-inspect") + f"?reported={intake.case.ticket}"
            if request.htmx:
                form = InspectorReportForm()
                return render(
                    request,
                    "web/staff/partials/inspect_report.html",
                    {"form": form, "reported": intake.case.ticket},
                )
            return redirect(url)
    template = (
        "web/staff/partials/inspect_report.html"
        if request.htmx
        else "web/staff/inspect_report_page.html"
    )
    status = 422 if form.errors and not request.htmx else 200
    return render(request, template, {"form": form, "map": map_config()}, status=status)
