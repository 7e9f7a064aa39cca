"""The category catalogue: GB/T 30428.2 majors and minors, their filing conditions, and the
GB/T 47678.5-2026 directory kept beside them (docs/decisions/0006-category-catalogue.md)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.categories import time_limits
from cityloop.categories.choices import CategoryKind, NameComparison, TimeLimitUnit
from cityloop.org.choices import DepartmentFunction, UnitKind
from cityloop.worktime.choices import ClockKind

two_digits = RegexValidator(r"^[0-9]{2}\Z", _("Enter exactly two digits."), code="digits")
three_digits = RegexValidator(r"^[0-9]{3}\Z", _("Enter exactly three digits."), code="digits")
five_digits = RegexValidator(r"^[0-9]{5}\Z", _("Enter exactly five digits."), code="digits")


class DirectoryItem(models.Model):
    """An item of the GB/T 47678.5-2026 directory (管理部件 Table A.1, 管理事项 Table C.1).

    The successor of GB/T 30428.2-2013, in force 2026-07-01; its 5-digit code is 2-digit major
    + 3-digit minor. The bundled copy is a third-party transcription (``source`` says which).
    """

    standard = models.CharField(_("standard"), max_length=40, default="GB/T 47678.5-2026")
    kind = models.CharField(_("kind"), max_length=20, choices=CategoryKind.choices)
    major_code = models.CharField(_("major code"), max_length=2, validators=[two_digits])
    major_name = models.CharField(_("major name"), max_length=60)
    minor_code = models.CharField(_("minor code"), max_length=3, validators=[three_digits])
    code = models.CharField(_("code"), max_length=5, validators=[five_digits])
    name = models.CharField(_("name"), max_length=60)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("GB/T 47678.5 directory item")
        verbose_name_plural = _("GB/T 47678.5 directory items")
        ordering = ["standard", "kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "kind", "code"], name="categories_directory_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MajorCategory(models.Model):
    """A 大类 of GB/T 30428.2: a component or event major with its 2-digit code."""

    kind = models.CharField(_("kind"), max_length=20, choices=CategoryKind.choices)
    code = models.CharField(_("code"), max_length=2, validators=[two_digits])
    name = models.CharField(_("name"), max_length=60)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("major category")
        verbose_name_plural = _("major categories")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="categories_major_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{CategoryKind(self.kind).label} {self.code} {self.name}"


class MinorCategoryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class MinorCategory(models.Model):
    """A 小类 of GB/T 30428.2 (``major-minor`` code, e.g. event 01-10 暴露生活垃圾).

    Beside it sits the GB/T 47678.5-2026 item at the mapped position where the reference maps
    one, with the reference's name comparison. ``is_local_extension`` marks the bureau's own
    categories. The default handling unit is the bureau's configurable default, not a standard.
    """

    major = models.ForeignKey(
        MajorCategory,
        verbose_name=_("major category"),
        on_delete=models.PROTECT,
        related_name="minors",
    )
    code = models.CharField(_("code"), max_length=2, validators=[two_digits])
    name = models.CharField(_("name"), max_length=60)
    gbt47678_code = models.CharField(
        _("GB/T 47678.5-2026 code"), max_length=5, blank=True, validators=[five_digits]
    )
    gbt47678_name = models.CharField(_("GB/T 47678.5-2026 name"), max_length=60, blank=True)
    name_comparison = models.CharField(
        _("name comparison"), max_length=30, choices=NameComparison.choices
    )
    directory_item = models.ForeignKey(
        DirectoryItem,
        verbose_name=_("GB/T 47678.5-2026 directory item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="minor_categories",
    )
    is_local_extension = models.BooleanField(
        _("local extension"),
        default=False,
        help_text=_("The bureau's own category, not in the imported standard table."),
    )
    handler_unit_kind = models.CharField(
        _("default handling unit type"), max_length=20, choices=UnitKind.choices
    )
    handler_department_function = models.CharField(
        _("default department function"),
        max_length=30,
        choices=DepartmentFunction.choices,
        blank=True,
        help_text=_("Only when the default handling unit is a functional department."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    requires_confirmation = models.BooleanField(
        _("confirm on site before filing"),
        default=False,
        help_text=_(
            "Reports of this category are confirmed on site (核实) before filing, "
            "whatever their source."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    source = models.TextField(_("source"), blank=True)

    objects = MinorCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("minor category")
        verbose_name_plural = _("minor categories")
        ordering = ["major__kind", "major__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["major", "code"], name="categories_minor_unique_code"),
            models.CheckConstraint(
                condition=(
                    models.Q(handler_unit_kind="department")
                    & ~models.Q(handler_department_function="")
                )
                | (
                    ~models.Q(handler_unit_kind="department")
                    & models.Q(handler_department_function="")
                ),
                name="categories_minor_function_iff_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code_path} {self.name}"

    @property
    def code_path(self) -> str:
        """``01-10``: the 2-digit major and minor codes as the catalogue writes them."""
        return f"{self.major.code}-{self.code}"

    def clean(self) -> None:
        """A department default names its function; other unit types name none."""
        is_department = self.handler_unit_kind == UnitKind.DEPARTMENT
        if is_department and not self.handler_department_function:
            raise ValidationError(
                {"handler_department_function": _("A department default needs its function.")}
            )
        if not is_department and self.handler_department_function:
            raise ValidationError(
                {"handler_department_function": _("Only a department default has a function.")}
            )


class FilingCondition(models.Model):
    """One 立案条件 of a minor category, with its 结案条件 and 处置时限.

    A minor category has several; the operator picks the one that matches when filing a case,
    and that choice fixes the deadline. The limit is kept exactly as written (``time_limit``)
    and parsed into amount, unit and required action; duration and clock are resolved from
    those at use time (docs/decisions/0007-time-limit-vocabulary.md).
    """

    minor = models.ForeignKey(
        MinorCategory,
        verbose_name=_("minor category"),
        on_delete=models.CASCADE,
        related_name="filing_conditions",
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"), validators=[MinValueValidator(1)])
    filing_condition = models.TextField(_("filing condition"))
    closing_condition = models.TextField(_("closing condition"))
    time_limit = models.CharField(
        _("time limit"),
        max_length=20,
        help_text=_("As written: 4小时, 2天, 2紧急工作时, 1紧急工作时制止 …"),
    )
    time_limit_amount = models.PositiveSmallIntegerField(_("time limit amount"), editable=False)
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=20, choices=TimeLimitUnit.choices, editable=False
    )
    required_action = models.CharField(
        _("required action"), max_length=20, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("filing condition")
        verbose_name_plural = _("filing conditions")
        ordering = ["minor", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["minor", "sequence"], name="categories_condition_unique_sequence"
            ),
            models.CheckConstraint(
                condition=models.Q(time_limit_amount__gt=0),
                name="categories_condition_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minor} #{self.sequence} ({self.time_limit})"

    def clean(self) -> None:
        """The time limit must be in the vocabulary."""
        try:
            time_limits.time_limit_parse(self.time_limit)
        except time_limits.TimeLimitError as exc:
            message = _("%(text)s is not a time limit of the vocabulary: %(reason)s")
            error = ValidationError(
                message, code="time_limit", params={"text": self.time_limit, "reason": exc.reason}
            )
            raise ValidationError({"time_limit": error}) from exc

    @property
    def duration(self) -> timedelta:
        """The limit's length on its clock, under the current settings."""
        return time_limits.time_limit_duration(
            amount=self.time_limit_amount, unit=self.time_limit_unit
        )

    @property
    def duration_minutes(self) -> int:
        return time_limits.duration_minutes(self.duration)

    @property
    def clock(self) -> ClockKind:
        """Working time or the continuous clock, under the current settings."""
        return time_limits.time_limit_clock(unit=self.time_limit_unit)


class AreaTimeLimit(models.Model):
    """A different 处置时限 for one filing condition in one area class (A core, B general,
    C outskirts), as CJ/T 315-style tables give "处置时限 A类/B类/C类" (reference §2.2).

    Without a row, every area class uses the condition's own limit.
    """

    condition = models.ForeignKey(
        FilingCondition,
        verbose_name=_("filing condition"),
        on_delete=models.CASCADE,
        related_name="area_limits",
    )
    area_class = models.CharField(
        _("area class"), max_length=1, choices=[("a", "A"), ("b", "B"), ("c", "C")]
    )
    time_limit = models.CharField(_("time limit"), max_length=20)
    time_limit_amount = models.PositiveSmallIntegerField(_("time limit amount"), editable=False)
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=20, choices=TimeLimitUnit.choices, editable=False
    )

    class Meta:
        verbose_name = _("time limit by area class")
        verbose_name_plural = _("time limits by area class")
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "area_class"], name="categories_arealimit_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.condition} {self.area_class.upper()}: {self.time_limit}"

    def clean(self) -> None:
        try:
            parsed = time_limits.time_limit_parse(self.time_limit)
        except time_limits.TimeLimitError as exc:
            message = _("%(text)s is not a time limit of the vocabulary: %(reason)s")
            error = ValidationError(
                message, code="time_limit", params={"text": self.time_limit, "reason": exc.reason}
            )
            raise ValidationError({"time_limit": error}) from exc
        self.time_limit_amount, self.time_limit_unit = parsed.amount, parsed.unit

    @property
    def duration(self) -> timedelta:
        return time_limits.time_limit_duration(
            amount=self.time_limit_amount, unit=self.time_limit_unit
        )

    @property
    def clock(self) -> ClockKind:
        return time_limits.time_limit_clock(unit=self.time_limit_unit)
