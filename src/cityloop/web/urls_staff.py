"""Staff pages: the case list and detail, and the dispatcher's, units' and inspectors'
workbenches (included by cityloop.web.urls)."""

from django.urls import path

from cityloop.web.views import staff_cases, staff_work

urlpatterns = [
    path("cases/", staff_cases.case_list, name="staff-cases"),
    path("cases/export.xlsx", staff_cases.case_export, name="staff-cases-export"),
    path("cases/<str:ticket>/", staff_cases.case_page, name="staff-case"),
    path(
        "cases/<str:ticket>/photos/<int:pk>/<str:variant>/",
        staff_cases.case_photo,
        name="staff-case-photo",
    ),
    path(
        "cases/<str:ticket>/act/<str:action>/",
        staff_cases.case_action,
        name="staff-case-action",
    ),
    path("dispatch/", staff_work.dispatch_board, name="staff-dispatch"),
    path("tasks/", staff_work.task_board, name="staff-tasks"),
    path("inspect/", staff_work.inspect_board, name="staff-inspect"),
    path("inspect/report/", staff_work.inspect_report, name="staff-inspect-report"),
]
