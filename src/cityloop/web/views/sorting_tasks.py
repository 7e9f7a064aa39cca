"""Collection tasks 收运任务 as web pages: fill-level and overflow alarms become tasks for the
contractor; each task's page shows what opened it and its history (who completed or
cancelled it, when, why). Visibility is the API's own rule
(``cityloop.sorting.selectors.tasks_visible_to``); a change is the task workflow's one service
(``sorting.services.task_act``), as for the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cityloop.core.i18n import bilingual
from cityloop.core.refusals import ActionRefused, BadInput, RecordChanged, StateForbids
from cityloop.sorting.choices import TaskStatus
from cityloop.sorting.selectors import tasks_visible_to
from cityloop.sorting.services import TASKS, task_act, task_status_action
from cityloop.sorting.workflow import TaskAction
from cityloop.web.sorting import access

FILTERS = {"open": [TaskStatus.OPEN], "done": [TaskStatus.DONE], "all": None}


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    shown = request.GET.get("status", "open")
    if shown not in FILTERS:
        shown = "open"
    rows = tasks_visible_to(user)
    if FILTERS[shown] is not None:
        rows = rows.filter(status__in=FILTERS[shown])
    rows = list(rows.order_by("due_at", "id")[:200])
    linkable = set()
    if access.may_see_sorting(user):
        linkable = set(
            access.visible_points(user)
            .filter(pk__in={t.point_id for t in rows})
            .values_list("pk", flat=True)
        )
    now = timezone.now()
    tasks = [
        {
            "task": t,
            "link": t.point_id in linkable,
            "overdue": t.status == TaskStatus.OPEN and t.due_at < now,
            "may_change": bool(TASKS.allowed_actions(user, t)),
        }
        for t in rows
    ]
    context = {
        "tasks": tasks,
        "shown": shown,
        "filters": [
            ("open", _("Open")),
            ("done", _("Done")),
            ("all", _("All")),
        ],
        "change_buttons": [("done", _("Done")), ("cancelled", _("Cancel"))],
        "back": access.may_see_sorting(user),
    }
    return render(request, "web/sorting/tasks.html", context)


@login_required
@require_GET
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    """One task: what opened it, where, its due time, and its history, newest last."""
    user = request.user
    task = tasks_visible_to(user).select_related("point", "contractor").filter(pk=task_id).first()
    if task is None:
        raise Http404(_("No such task among yours."))
    history = [
        {
            "entry": e,
            "action": _label(TaskAction, e.action),
            "from": _label(TaskStatus, e.from_state),
            "to": _label(TaskStatus, e.to_state),
        }
        for e in task.events.order_by("at", "id")
    ]
    context = {
        "task": task,
        "history": history,
        "overdue": task.status == TaskStatus.OPEN and task.due_at < timezone.now(),
        "may_change": bool(TASKS.allowed_actions(user, task)),
        "change_buttons": [("done", _("Done")), ("cancelled", _("Cancel"))],
        "point_link": access.may_see_sorting(user)
        and access.visible_points(user).filter(pk=task.point_id).exists(),
    }
    return render(request, "web/sorting/task.html", context)


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


@login_required
@require_POST
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    """Done (bins emptied) or cancelled (false alarm); 404 when the task is not visible, 403
    when the user may not change it, a bilingual message for a bad status or a closed task."""
    back = request.POST.get("next") or reverse("web:sorting_tasks")  # the list or the task
    if not back.startswith("/sorting/tasks/"):
        back = reverse("web:sorting_tasks")
    task = tasks_visible_to(request.user).filter(pk=task_id).first()
    if task is None:
        raise Http404(_("No such task among yours."))
    action = task_status_action(request.POST.get("status", ""))
    if not action:
        messages.error(request, bilingual(gettext_lazy("Choose done or cancelled.")))
        return redirect(back)
    version = request.POST.get("version", "")
    try:
        task = task_act(
            actor=request.user,
            task=task,
            action=action,
            version=int(version) if version.isdigit() else None,
            comment=request.POST.get("comment", ""),
        )
    except (StateForbids, RecordChanged, BadInput) as refusal:  # done meanwhile, changed, bad
        messages.error(request, bilingual(refusal.message))
    except ActionRefused as refusal:
        raise PermissionDenied(bilingual(refusal.message)) from refusal
    else:
        if task.status == TaskStatus.DONE:
            messages.success(request, bilingual(gettext_lazy("Task marked done.")))
        else:
            messages.success(request, bilingual(gettext_lazy("Task cancelled.")))
    return redirect(back)
