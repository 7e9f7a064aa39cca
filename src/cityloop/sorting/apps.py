from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SortingConfig(AppConfig):
    name = "cityloop.sorting"
    label = "sorting"
    verbose_name = _("Garbage sorting")

    def ready(self) -> None:
        # The pipeline calls the sorting app through hooks it installs, so that the telemetry
        # app imports nothing of it (docs/decisions/0044-sorting-app.md).
        from cityloop.sorting import ingestion  # imports models: not before the apps are ready

        ingestion.install()

        from cityloop.core.verification import Check, register
        from cityloop.sorting.evidence import verify_numbers

        register(Check("evidence", "the evidence packages' chain", verify_numbers, "--package",
                       "packages"))  # fmt: skip
