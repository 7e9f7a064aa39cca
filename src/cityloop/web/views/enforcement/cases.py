"""The enforcement workbench, a case's page, its action forms and its files."""

from __future__ import annotations

import io
from pathlib import PurePath

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_htmx.http import reswap, retarget

from cityloop.core.refusals import ActionRefused, RecordChanged
from cityloop.enforcement.issuing import pdf_of
from cityloop.enforcement.models import Document, Evidence
from cityloop.org.choices import Role
from cityloop.web.enforcement import access, queues
from cityloop.web.enforcement.actions import action_form, action_submit, transition_for
from cityloop.web.enforcement.detail import (
    actions_of,
    detail_context,
    nearest_clock,
    visible_case,
)
from cityloop.web.enforcement.forms import TABS, CaseFilterForm
from cityloop.web.enforcement.labels import action_label, document_label, state_label
from cityloop.web.views.enforcement.common import allowed, subnav

PAGE_SIZE = 25
ROW = "web/enforcement/partials/row.html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOT_OPEN = _("This action is not open to you on this case now.")


def _tab(request) -> str:
    tab = request.GET.get("tab", "")
    if tab in TABS:
        return tab
    return "mine" if request.user.has_role(Role.ENFORCEMENT_OFFICER) else "all"


def rows(user, cases, now) -> list[dict]:
    return [row_context(user, c, now) for c in cases]


def row_context(user, case, now) -> dict:
    return {
        "case": case,
        "state_label": state_label(case.state),
        "clock": nearest_clock(case, now),
        "actions": actions_of(user, case),
    }


@allowed(access.may_see_enforcement)
def workbench(request):
    """执法办案工作台: my cases, due soon, overdue by clock, all; filtered and paginated."""
    now, tab = timezone.now(), _tab(request)
    form = CaseFilterForm(request.GET or None)
    cases = form.apply(queues.workbench(request.user, tab, now))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows(request.user, page, now),
        "query": query.urlencode(),
        "tab": tab,
        "tabs": [
            {"key": k, "label": label, "n": n}
            for (k, label), n in zip(
                TABS.items(), queues.tab_counts(request.user, now).values(), strict=True
            )
        ],
        "subnav": subnav(request.user, "web:enforcement"),
    }
    template = "web/enforcement/workbench.html"
    if request.htmx and request.htmx.target == "case-table":
        template = "web/enforcement/partials/case_table.html"
    return render(request, template, context)


def _detail(request, case) -> dict:
    context = detail_context(request.user, case, timezone.now())
    context["subnav"] = subnav(request.user, "")
    return context


@allowed(access.may_see_enforcement)
def case_page(request, number: str):
    """案件详情: facts, party, violation, clocks, evidence, documents, timeline, actions."""
    case = visible_case(request.user, number)
    template = "web/enforcement/case.html"
    if request.htmx and not request.htmx.boosted:
        template = "web/enforcement/partials/case.html"
    return render(request, template, _detail(request, case))


@allowed(access.may_see_enforcement)
def case_action(request, number: str, action: str):
    """GET: the action's form. POST: take the action (one service call), then the case again
    (or its queue row, ``row=queue``); a refusal of an input stays under its field."""
    case = visible_case(request.user, number)
    row = "queue" if (request.POST.get("row") or request.GET.get("row")) == "queue" else ""
    if request.method == "POST" and request.POST.get("version") not in (None, str(case.version)):
        return refused(request, case, row, "", changed=True)
    t = transition_for(request.user, case, action)
    if t is None:
        return refused(request, case, row, NOT_OPEN)
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = action_form(t, case, *data)
    if request.method == "POST":
        try:
            moved = action_submit(user=request.user, form=form)
        except RecordChanged:
            return refused(request, case, row, "", changed=True)
        except ActionRefused as exc:
            return refused(request, case, row, exc.message)
        if moved is not None:
            return _moved(request, number, row)
    return form_response(request, case, form, row)


def form_response(request, case, form, row: str = "", *, page="web/enforcement/action_page.html"):
    context = {
        "case": case,
        "form": form,
        "row": row,
        "action": form.transition.action,
        "action_label": action_label(form.transition.action),
    }
    if request.htmx:  # 200 so that HTMX swaps the form, with its errors, in place
        response = render(request, "web/enforcement/partials/action_form.html", context)
        return retarget(reswap(response, "innerHTML"), f"#action-{case.number}")
    return render(request, page, context, status=422 if form.errors else 200)


def _moved(request, number: str, row: str):
    try:
        case = visible_case(request.user, number)
    except Http404:  # the act took the case out of this user's sight
        return HttpResponse("") if request.htmx else redirect("web:enforcement")
    if not request.htmx:
        return redirect("web:enforcement-case", number=number)
    if row:
        case = queues.with_rows(type(case).objects.filter(pk=case.pk)).get()
        return render(request, ROW, {"row": row_context(request.user, case, timezone.now())})
    return render(request, "web/enforcement/partials/case.html", _detail(request, case))


def refused(request, case, row: str, message, *, changed: bool = False):
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
        return render(request, "web/enforcement/refused_page.html", context, status=409)
    response = render(request, "web/enforcement/partials/refused.html", context)
    response["X-CityLoop-Status"] = "409"  # 200 so that HTMX swaps the message in
    return retarget(reswap(response, "innerHTML"), f"#action-{case.number}")


@allowed(access.may_see_enforcement)
def evidence_file(request, number: str, pk: int):
    """An evidence item's file (a photo, a scan) of a visible case."""
    case = visible_case(request.user, number)
    item = Evidence.objects.filter(case=case, pk=pk).first()
    if item is None or not item.file:
        raise Http404
    return FileResponse(item.file.open("rb"), filename=PurePath(item.file.name).name)


@allowed(access.may_see_enforcement)
def document_file(request, number: str, pk: int, fmt: str):
    """An issued document as kept (DOCX), or its PDF (``issuing.pdf_of``)."""
    case = visible_case(request.user, number)
    document = Document.objects.filter(case=case, pk=pk).first()
    if document is None or fmt not in ("docx", "pdf"):
        raise Http404
    name = f"{case.number}-{document_label(document.kind)}-{document.revision}.{fmt}"
    if fmt == "pdf":
        content, content_type = io.BytesIO(pdf_of(document)), "application/pdf"
    else:
        content, content_type = document.docx.open("rb"), DOCX
    return FileResponse(content, as_attachment=True, filename=name, content_type=content_type)
