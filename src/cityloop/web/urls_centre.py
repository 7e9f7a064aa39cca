"""URLs of the command centre 指挥中心 (included by cityloop.web.urls)."""

from django.urls import path

from cityloop.web.views import centre

urlpatterns = [
    path("centre/", centre.centre, name="centre"),
    path("centre/panels/<slug:name>/", centre.panel, name="centre_panel"),
    path("centre/data/figures/", centre.data_figures, name="centre_data_figures"),
    path("centre/data/charts/", centre.data_charts, name="centre_data_charts"),
    path("centre/data/cases/", centre.data_cases, name="centre_data_cases"),
    path("centre/data/overdue/", centre.data_overdue, name="centre_data_overdue"),
]
