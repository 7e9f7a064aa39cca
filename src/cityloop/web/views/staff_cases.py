"""Staff case pages: the list with its filters and Excel export, the detail with its actions."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django_htmx.http import reswap, retarget

from cityloop.core.refusals import ActionRefused
from cityloop.events.models import Attachment, Case
from cityloop.events.selectors import cases_for
from cityloop.events.services.refusals import CaseChanged
from cityloop.events.services.transitions import allowed_actions
from cityloop.web.staff_actions import action_form, action_submit
from cityloop.web.staff_export import cases_xlsx
from cityloop.web.staff_filters import CaseFilterForm
from cityloop.web.views.staff_common import (
    action_label,
    detail_context,
    roles_required,
    state_label,
    visible_case,
)
from cityloop.web.views.staff_rows import ROW_TEMPLATES, row_context

PAGE_SIZE = 25


@roles_required()
def case_list(request):
    """案卷列表: the user's visible cases, filtered, sorted and paginated."""
    form = CaseFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    cases = cases_for(request.user, form.case_filter()).order_by(*form.ordering())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "web/staff/case_list.html"
    if request.htmx and request.htmx.target == "case-table":
        template = "web/staff/partials/case_table.html"
    return render(request, template, context)


@roles_required()
def case_export(request):
    """The filtered list as .xlsx; reporters as ``reporter_view`` lets this user see them."""
    form = CaseFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    cases = cases_for(request.user, form.case_filter()).order_by(*form.ordering())
    return FileResponse(
        cases_xlsx(request.user, cases),
        as_attachment=True,
        filename="cases.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@roles_required()
def case_page(request, ticket: str):
    """案卷详情: map, photos, timeline, clock, assignments and the actions allowed now."""
    case = visible_case(request.user, ticket)
    template = "web/staff/case_detail.html"
    if request.htmx and not request.htmx.boosted:
        template = "web/staff/partials/case_detail.html"
    return render(request, template, detail_context(request.user, case))


@roles_required()
def case_photo(request, ticket: str, pk: int, variant: str = "original"):
    """A photo of a visible case: the thumbnail, or the original (with EXIF) for staff."""
    case = visible_case(request.user, ticket)
    attachment = Attachment.objects.filter(case=case, pk=pk).first()
    stored = None
    if attachment is not None:
        stored = attachment.thumbnail if variant == "thumbnail" else attachment.file
        stored = stored or attachment.file
    if not stored:
        raise Http404
    content_type = "image/jpeg" if variant == "thumbnail" else attachment.content_type
    return FileResponse(stored.open("rb"), content_type=content_type)


def _transition(user, case: Case, action: str):
    for t in allowed_actions(user, case):
        if t.action == action:
            return t
    return None


@roles_required()
def case_action(request, ticket: str, action: str):
    """GET: the action's short form. POST: take the action (one service call), then re-render
    the detail (or the workbench row named by ``row``); field errors stay in the form."""
    case = visible_case(request.user, ticket)
    row = request.POST.get("row") or request.GET.get("row") or ""
    if row not in ROW_TEMPLATES:
        row = ""
    if request.method == "POST" and request.POST.get("version") not in (None, str(case.version)):
        # said before "not open": the user acted on a page older than the case
        return _refused(request, case, row, "", changed=True)
    t = _transition(request.user, case, action)
    if t is None:
        return _refused(request, case, row, _not_allowed_message(case))
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = action_form(t, case, *data)
    if request.method == "POST":
        try:
            moved = action_submit(user=request.user, form=form)
        except CaseChanged as exc:
            return _refused(request, case, row, exc.message, changed=True)
        except ActionRefused as exc:
            return _refused(request, case, row, exc.message)
        if moved is not None:
            return _moved(request, ticket, row)
    return _form_response(request, case, form, row, status=422 if form.errors else 200)


def _not_allowed_message(case: Case):
    return _("This action is not open to you on this case now.")


def _form_response(request, case: Case, form, row: str, status: int = 200):
    context = {
        "case": case,
        "form": form,
        "row": row,
        "action": form.transition.action,
        "action_label": action_label(form.transition.action),
    }
    if request.htmx:  # 200 so that HTMX swaps the form, with its errors, in place
        response = render(request, "web/staff/partials/action_form.html", context)
        return retarget(reswap(response, "innerHTML"), f"#action-{case.ticket}")
    return render(request, "web/staff/action_page.html", context, status=status)


def _moved(request, ticket: str, row: str):
    try:
        case = visible_case(request.user, ticket)
    except Http404:  # the action took the case out of this user's sight: the row goes
        return HttpResponse("") if request.htmx else redirect("web:staff-cases")
    if not request.htmx:
        return redirect("web:staff-case", ticket=ticket)
    if row:
        return render(request, ROW_TEMPLATES[row], row_context(request.user, case, row))
    return render(
        request, "web/staff/partials/case_detail.html", detail_context(request.user, case)
    )


def _refused(request, case: Case, row: str, message, *, changed: bool = False):
    """The case changed (409) or the action is not open: say so, with the state now."""
    case.refresh_from_db()
    context = {
        "case": case,
        "message": message,
        "changed": changed,
        "state_label": state_label(case.state),
        "row": row,
    }
    if not request.htmx:
        return render(request, "web/staff/refused_page.html", context, status=409)
    response = render(request, "web/staff/partials/action_refused.html", context)
    response["X-CityLoop-Status"] = "409"  # 200 so that HTMX swaps the message in
    return retarget(reswap(response, "innerHTML"), f"#action-{case.ticket}")
