from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "cityloop.web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from cityloop.web import checks  # noqa: F401  (registers the system checks)
