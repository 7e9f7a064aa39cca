from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "cityloop.enforcement"
    label = "enforcement"
    verbose_name = _("Administrative enforcement")

    def ready(self) -> None:
        # The closed loop's 移送执法 reaches this app through its hook (events imports nothing
        # of enforcement).
        from cityloop.enforcement import services
        from cityloop.events import hooks

        hooks.install_referral(services.refer_case)
        hooks.sweeps["enforcement"] = services.sweep

        from cityloop.core.verification import Check, register
        from cityloop.enforcement.verification import verify_numbers

        register(Check("enforcement", "the enforcement case files", verify_numbers, "--case",
                       "cases"))  # fmt: skip
