"""The web app's own records: failed sign-ins, counted in the database (docs/web.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    """One failed sign-in for a username; enough of them in a window lock the username.

    Kept in the database, not in a per-process cache, so that the lock holds across every web
    worker (docs/decisions/0019-web-ui.md). Old rows are deleted on the next sign-in attempt.
    """

    username = models.CharField(_("username"), max_length=150, db_index=True)
    at = models.DateTimeField(_("at"), db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [models.Index(fields=["username", "at"], name="web_loginfailure_user_at")]

    def __str__(self) -> str:
        return f"{self.username} @ {self.at:%Y-%m-%d %H:%M}"
