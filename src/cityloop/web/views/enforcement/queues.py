"""The legal reviewer's queue 法制审核 and the person in charge's approvals 审批."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from cityloop.web.enforcement import access, queues
from cityloop.web.views.enforcement.cases import rows
from cityloop.web.views.enforcement.common import allowed, subnav


@allowed(access.may_review)
def review_queue(request):
    """Cases in legal review (第五十八条), the longest waiting first, with the review's acts."""
    now = timezone.now()
    cases = queues.legal_review(request.user)[: queues.QUEUE_SIZE]
    context = {
        "rows": rows(request.user, cases, now),
        "subnav": subnav(request.user, "web:enforcement-review"),
    }
    return render(request, "web/enforcement/review.html", context)


@allowed(access.may_approve)
def approvals(request):
    """What waits for the person in charge: filing, review, collective discussion, decision,
    the 90-day clock (extend, suspend, resume), deferral, closing, the court."""
    now, user = timezone.now(), request.user
    sections = []
    for queue in queues.APPROVALS:
        cases = queue.cases(user, now).order_by("updated_at", "id")[: queues.QUEUE_SIZE]
        sections.append({"queue": queue, "rows": rows(user, cases, now)})
    context = {
        "sections": sections,
        "waiting": sum(len(s["rows"]) for s in sections),
        "subnav": subnav(user, "web:enforcement-approvals"),
    }
    return render(request, "web/enforcement/approvals.html", context)
