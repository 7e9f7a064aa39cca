"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path

from cityloop.api import api
from cityloop.core import views as core_views
from cityloop.devices import views as devices_views
from cityloop.devices import views_vendor as devices_vendor

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("version", core_views.version, name="version"),
    path("admin/", admin.site.urls),
    path("api/ingest", devices_views.ingest, name="devices-ingest"),  # before the ninja API
    path("api/ingest/snapshot", devices_views.snapshot, name="devices-snapshot"),
    path(  # ThingsBoard's device HTTP API (docs/devices.md, Vendor formats)
        "api/v1/<str:token>/telemetry",
        devices_vendor.thingsboard_telemetry,
        name="devices-thingsboard-telemetry",
    ),
    path("api/", api.urls),
    path("open311/v2/", include("cityloop.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("cityloop.web.urls")),
    path("", core_views.home, name="home"),
]
