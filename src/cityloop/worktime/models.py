"""Office hours of units, and the admin-entered corrections to the holiday calendar.

Which dates are working days comes from the ``chinese-calendar`` package (statutory holidays and
调休 from the State Council's yearly notice) corrected by :class:`CalendarOverride`; years the
package does not know are usable only once an administrator declares them complete
(:class:`CalendarYear`). See ``docs/decisions/0005-working-time-calendar.md``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cityloop.worktime.choices import DayKind

# Years an administrator may enter: far enough back for old cases, not so far as to be a typo.
FIRST_YEAR = 2000
LAST_YEAR = 2100


class OfficeHours(models.Model):
    """The office hours (办公时间) of one unit, or with no unit the bureau-wide default.

    A unit without its own row uses its nearest ancestor's; with none up the tree, the row
    without a unit; without that, the built-in 08:30–12:00 and 14:00–18:00
    (``cityloop.worktime.officehours.DEFAULT_PERIODS``). Working time counts only inside
    these periods, on working days.
    """

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="office_hours",
        help_text=_("Leave empty for the default of every unit without its own office hours."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                name="worktime_officehours_one_per_unit",
                violation_error_message=_("This unit already has office hours."),
                violation_error_code="unique",  # reported on the unit field
            ),
            # NULLs are distinct in a unique index, so the one default row needs its own.
            models.UniqueConstraint(
                Coalesce("unit", models.Value(0)),
                condition=models.Q(unit__isnull=True),
                name="worktime_officehours_one_default",
                violation_error_message=_("The default office hours already exist."),
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        owner = str(self.unit) if self.unit_id else str(_("Default"))
        return f"{owner} {self.periods_display()}" if self.pk else owner

    def periods_display(self) -> str:
        return ", ".join(str(p) for p in self.periods.all())


class OfficePeriod(models.Model):
    """One period of the day inside office hours, e.g. 08:30–12:00 (end excluded)."""

    office_hours = models.ForeignKey(
        OfficeHours,
        verbose_name=_("office hours"),
        on_delete=models.CASCADE,
        related_name="periods",
    )
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("office period")
        verbose_name_plural = _("office periods")
        ordering = ["office_hours", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")),
                name="worktime_officeperiod_start_before_end",
                violation_error_message=_("A period must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValidationError(
                {"end": ValidationError(_("A period must end after it starts."), code="order")}
            )


class CalendarOverride(models.Model):
    """An administrator's word on one date: a working day or a day off, with the reason.

    Wins over the chinese-calendar package (the bureau may grant an extra day off) and is how
    years the package does not yet know get their holidays and 调休 entered.
    """

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DayKind.choices)
    note = models.CharField(
        _("note"),
        max_length=200,
        help_text=_("Why: the holiday or the notice, e.g. 国庆节 or 国办发明电〔2026〕X号."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.day is not None and not FIRST_YEAR <= self.day.year <= LAST_YEAR:
            raise ValidationError(
                {
                    "day": ValidationError(
                        _("The year must be between %(first)s and %(last)s."),
                        code="year_range",
                        params={"first": FIRST_YEAR, "last": LAST_YEAR},
                    )
                }
            )


class CalendarYear(models.Model):
    """An administrator's declaration that a year's holidays and 调休 are fully entered.

    A year the chinese-calendar package does not cover has no calendar until declared: every
    computation touching it fails with ``CalendarUnavailable`` rather than guess. Once
    declared, its dates follow the overrides, and Monday–Friday work otherwise.
    """

    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("The notice the dates come from, e.g. 国务院办公厅通知 国办发明电〔2026〕X号."),
    )
    declared_at = models.DateTimeField(_("declared at"), auto_now=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("complete calendar year")
        verbose_name_plural = _("complete calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarVersion(models.Model):
    """One row whose token changes with every calendar or office-hours write.

    Each process caches calendar facts under the token it read; a different token in the
    database means somebody changed the calendar, so the process drops its cache. A token is
    random, never a counter, so a write that was rolled back can never come back to life.
    """

    token = models.CharField(_("token"), max_length=32)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        db_table = "worktime_calendarversion"  # named in facts.py's raw token query
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")

    def __str__(self) -> str:
        return self.token
