"""The officer's phone pages: a clue on patrol, the on-the-spot decision 当场处罚 (简易程序) and
evidence with photos taken on the phone (``<input type=file capture=environment>``), each
one service call."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from cityloop.core.refusals import ActionRefused, RecordChanged
from cityloop.enforcement.choices import EnforcementState
from cityloop.enforcement.selectors import cases_visible_to
from cityloop.enforcement.workflow import Action
from cityloop.web.enforcement import access, queues
from cityloop.web.enforcement.actions import action_form, action_submit, transition_for
from cityloop.web.enforcement.detail import documents_of, evidence_of, visible_case
from cityloop.web.enforcement.forms import ClueForm
from cityloop.web.enforcement.labels import action_label, state_label
from cityloop.web.views.enforcement.cases import NOT_OPEN
from cityloop.web.views.enforcement.clues import register
from cityloop.web.views.enforcement.common import allowed, subnav

PHONE_ACTIONS = (Action.ON_THE_SPOT, Action.ADD_EVIDENCE)
PHONE_SIZE = 20


@allowed(access.may_see_enforcement)
def phone_home(request):
    """A clue registered on patrol (then its on-the-spot form), and my cases on the phone."""
    form = ClueForm(request.POST or None, user=request.user)
    if request.method == "POST" and (case := register(request, form)) is not None:
        return redirect("web:enforcement-phone-act", number=case.number, action="on_the_spot")
    mine = cases_visible_to(request.user).filter(queues.mine(request.user))
    context = {
        "form": form,
        "clues": mine.filter(state=EnforcementState.REGISTERED)[:PHONE_SIZE],
        "investigating": mine.filter(state=EnforcementState.INVESTIGATING)[:PHONE_SIZE],
        "subnav": subnav(request.user, "web:enforcement-phone"),
    }
    status = 422 if form.errors else 200
    return render(request, "web/enforcement/phone.html", context, status=status)


@allowed(access.may_see_enforcement)
def phone_action(request, number: str, action: str):
    """The on-the-spot decision or the evidence form, on the phone; done: what was issued."""
    if action not in PHONE_ACTIONS:
        raise Http404
    case = visible_case(request.user, number)
    context = {"case": case, "action": action, "action_label": action_label(action)}
    t = transition_for(request.user, case, action)
    if t is None:
        return _phone(request, {**context, "message": NOT_OPEN}, status=409)
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = action_form(t, case, *data)
    if request.method == "POST":
        try:
            moved = action_submit(user=request.user, form=form)
        except (RecordChanged, ActionRefused) as exc:
            return _phone(request, {**context, "message": exc.message}, status=409)
        if moved is not None:
            return _phone(request, {**context, **_done(moved)})
    status = 422 if form.errors and not request.htmx else 200
    return _phone(request, {**context, "form": form}, status=status)


def _done(case) -> dict:
    return {
        "done": True,
        "case": case,
        "state_label": state_label(case.state),
        "documents": documents_of(case),
        "evidence": evidence_of(case),
        "now": timezone.now(),
    }


def _phone(request, context: dict, status: int = 200):
    if request.htmx:  # 200 so that HTMX swaps the panel in, errors and all
        return render(request, "web/enforcement/partials/phone_act.html", context)
    return render(request, "web/enforcement/phone_act.html", context, status=status)
