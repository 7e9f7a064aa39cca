"""The JSON API: one django-ninja instance, each app's router under its own prefix."""

from ninja.security import django_auth

import cityloop
from cityloop.categories.api import router as categories_router
from cityloop.core import api_errors
from cityloop.core.openapi import CityLoopAPI
from cityloop.enforcement.api import router as enforcement_router
from cityloop.events import api as events_api
from cityloop.geo.api import router as geo_router
from cityloop.notifications.api import router as notifications_router
from cityloop.org.api import router as org_router
from cityloop.org.tokens import TokenAuth
from cityloop.sorting import api as devices_api
from cityloop.worktime.api import router as worktime_router

api = CityLoopAPI(
    title="CityLoop API",
    version=cityloop.__version__,
    description="城市管理智慧一体化平台 JSON API. 中文优先，英文其次。",
    auth=[TokenAuth(), django_auth],  # a Bearer token first: token clients have no CSRF cookie
    docs_url="/docs",
)
api_errors.install(api)
api.add_router("/org/", org_router, tags=["org"])
api.add_router("/geo/", geo_router, tags=["geo"])
api.add_router("/categories/", categories_router, tags=["categories"])
api.add_router("/worktime/", worktime_router, tags=["worktime"])
api.add_router("/cases/", events_api.router, tags=["cases"])
api.add_router("/public/", events_api.public_router, tags=["public"])
api.add_router("/hotline/", events_api.hotline_router, tags=["hotline"])
api.add_router("/notifications/", notifications_router, tags=["notifications"])
api.add_router("/tasks/", devices_api.tasks_router, tags=["tasks"])
api.add_router("/evidence/", devices_api.evidence_router, tags=["evidence"])
api.add_router("/enforcement/", enforcement_router, tags=["enforcement"])
