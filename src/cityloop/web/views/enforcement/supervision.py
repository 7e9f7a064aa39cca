"""The bureau's supervision view 执法监督: the figures of the cases the user may see."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from cityloop.web.enforcement import access
from cityloop.web.enforcement.forms import PeriodForm
from cityloop.web.enforcement.supervision import figures
from cityloop.web.views.enforcement.common import allowed, subnav


def _report(user, first, last) -> dict:
    """The annual report's figures for the period, in its own words (enforcement.figures)."""
    from cityloop.enforcement import figures as report
    from cityloop.enforcement.selectors import figures_scope

    unit = figures_scope(user)
    area = unit.name if unit is not None else "全区"
    figs = report.figures(first, last, unit)
    return {"figures": figs, "sentence": report.sentence(figs, area=area), "area": area}


@allowed(access.may_supervise)
def supervision(request):
    """Cases by street, category, procedure and outcome, fines, overdue clocks, the legal
    review pass rate, for a period (this year by default)."""
    form = PeriodForm(request.GET or None)
    start, end, first, last = form.bounds()
    context = {
        "form": form,
        "first": first,
        "last": last,
        "figures": figures(request.user, start, end, timezone.now()),
        "report": _report(request.user, first, last),
        "subnav": subnav(request.user, "web:enforcement-supervision"),
    }
    template = "web/enforcement/supervision.html"
    if request.htmx and request.htmx.target == "figures":
        template = "web/enforcement/partials/figures.html"
    return render(request, template, context)
