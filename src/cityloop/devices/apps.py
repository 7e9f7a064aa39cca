from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "cityloop.devices"
    verbose_name = _("Devices and telemetry")
