"""The Open311 GeoReport v2 interface's own records: API keys and submissions.

Cases themselves live in ``cityloop.events``; this app only remembers which client sent which
case (for the ``tokens`` endpoint and for abuse handling), and the keys clients post with.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.events.models import Case


class ApiKey(models.Model):
    """A client's key for POST Service Request (GeoReport v2: ``api_key`` is required to post).

    Only the SHA-256 of the key is stored; the key is shown once, when it is created. Keys are
    deactivated, not deleted: submissions refer to them.
    """

    name = models.CharField(
        _("name"), max_length=100, help_text=_("Who uses the key, e.g. the app and its vendor.")
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=8,
        editable=False,
        help_text=_("The key's first characters, to recognise it; the key itself is not kept."),
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Submission(models.Model):
    """One case that an Open311 client created: with which key, and its token.

    GeoReport v2 lets a server answer a POST with a token that ``GET tokens/{token}`` later
    resolves. CityLoop answers with the case's ticket at once, but still issues a token for
    every submission, so that ``tokens/{token}`` resolves it (docs/decisions/0016).
    ``account_id`` and ``device_id`` are the client's pseudonymous identifiers, kept for abuse
    handling and never published; the e-mail address is not kept at all.
    """

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="open311_submission"
    )
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="submissions"
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    media_url = models.URLField(
        _("media URL"),
        max_length=500,
        blank=True,
        help_text=_("A link the client sent; never fetched nor published."),
    )
    created_at = models.DateTimeField(_("submitted"))

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.token} → {self.case}"
