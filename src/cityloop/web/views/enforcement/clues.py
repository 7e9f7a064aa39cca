"""Registering a clue 线索登记 (patrol, complaint, transfer) through ``register_clue``."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cityloop.core.refusals import ActionRefused
from cityloop.enforcement.services import register_clue
from cityloop.web.enforcement import access
from cityloop.web.enforcement.forms import ClueForm
from cityloop.web.views.enforcement.common import allowed, subnav

REGISTERED = _("Clue %(number)s registered.")


def register(request, form: ClueForm):
    """The clue from a valid form, or None with the refusal on its field."""
    if not form.is_valid():
        return None
    d = form.cleaned_data
    try:
        return register_clue(
            actor=request.user,
            unit=d["unit"],
            source=d["source"],
            title=d["title"],
            place=d["place"],
            facts=d["facts"],
            note=d["note"],
        )
    except ActionRefused as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, str(exc.message))
        return None


@allowed(access.may_register_clue)
def clue_new(request):
    """The clue form; once registered, the case's page (or, for a dispatcher, this form)."""
    form = ClueForm(request.POST or None, user=request.user)
    if request.method == "POST" and (case := register(request, form)) is not None:
        if access.may_see_enforcement(request.user):
            return redirect("web:enforcement-case", number=case.number)
        messages.success(request, REGISTERED % {"number": case.number})
        return redirect(reverse("web:enforcement-clue"))
    context = {"form": form, "subnav": subnav(request.user, "web:enforcement-clue")}
    return render(request, "web/enforcement/clue.html", context, status=422 if form.errors else 200)
