"""URLs of the garbage-sorting pages 垃圾分类 (included by cityloop.web.urls)."""

from django.urls import path

from cityloop.web.views import sorting, sorting_evidence, sorting_tasks

urlpatterns = [
    path("sorting/", sorting.sorting_dashboard, name="sorting"),
    path("sorting/panels/figures/", sorting.sorting_panel, name="sorting_panel"),
    path("sorting/data/points/", sorting.data_points, name="sorting_data_points"),
    path("sorting/data/charts/", sorting.data_charts, name="sorting_data_charts"),
    path("sorting/points/<str:code>/", sorting.point_page, name="sorting_point"),
    path("sorting/tasks/", sorting_tasks.task_list, name="sorting_tasks"),
    path("sorting/tasks/<int:task_id>/", sorting_tasks.task_detail, name="sorting_task"),
    path(
        "sorting/tasks/<int:task_id>/status/",
        sorting_tasks.task_status,
        name="sorting_task_status",
    ),
    path("sorting/households/", sorting.household_lookup, name="sorting_households"),
    path("sorting/evidence/", sorting_evidence.package_list, name="sorting_evidence"),
    path(
        "sorting/evidence/<str:number>/verify/",
        sorting_evidence.package_verify,
        name="sorting_evidence_verify",
    ),
    path(
        "sorting/evidence/<str:number>/export.zip",
        sorting_evidence.package_export,
        name="sorting_evidence_export",
    ),
]
