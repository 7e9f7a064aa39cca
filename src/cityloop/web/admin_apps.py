"""Django's admin app with CityLoop's admin site (a module of its own: it imports no models)."""

from django.contrib.admin.apps import AdminConfig


class CityLoopAdminConfig(AdminConfig):
    default_site = "cityloop.web.admin_site.CityLoopAdminSite"
