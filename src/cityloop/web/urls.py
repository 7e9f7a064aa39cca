"""The web UI: citizens' pages, staff workbenches, the command centre."""

from django.urls import include, path

app_name = "web"

urlpatterns = [
    path("", include("cityloop.web.urls_centre")),
    path("", include("cityloop.web.urls_staff")),
    path("", include("cityloop.web.urls_sorting")),
    path("", include("cityloop.web.urls_enforcement")),
    path("", include("cityloop.web.urls_public")),
]
