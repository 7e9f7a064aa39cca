"""Units of the four-tier organisation and the people who work in them."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.core.scoping import ScopedQuerySet
from cityloop.org import codes
from cityloop.org.choices import (
    PARENT_KIND,
    ROLES_BY_UNIT_KIND,
    DepartmentFunction,
    EntityKind,
    Role,
    UnitKind,
)


class UnitQuerySet(ScopedQuerySet):
    scope_unit_fields = ("",)

    def streets(self):
        return self.filter(kind=UnitKind.STREET)

    def communities(self):
        return self.filter(kind=UnitKind.COMMUNITY)

    def below(self, unit: Unit):
        """The unit and every unit under it."""
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """A unit of the four-tier network (区、街道、社区、社会主体) or a functional department.

    ``path`` is the materialised chain of ids from the district down (``/1/4/37/``): "a unit
    and everything below it" is one indexed prefix query, which is how scoping works.
    District, street and community carry statistical division codes (GB/T 2260 + 3 + 3);
    social entities and departments carry a unified social credit code where they have one.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        help_text=_("6 digits for a district, 9 for a street, 12 for a community."),
    )
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    entity_kind = models.CharField(
        _("entity kind"), max_length=30, choices=EntityKind.choices, blank=True
    )
    function = models.CharField(
        _("department function"), max_length=30, choices=DepartmentFunction.choices, blank=True
    )
    bureau = models.CharField(
        _("bureau"),
        max_length=60,
        blank=True,
        help_text=_("For a department: the bureau it belongs to, e.g. 区住房和建设局."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="social_entity") | ~models.Q(entity_kind=""),
                name="org_unit_entity_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        """Validate kind, parent and codes together; errors are keyed by field."""
        errors: dict[str, list] = {}
        allowed_parents = PARENT_KIND.get(self.kind, ())
        if self.parent is None and allowed_parents:
            errors.setdefault("parent", []).append(
                ValidationError(_("A unit of this kind needs a parent unit."), code="parent")
            )
        elif self.parent is not None and self.parent.kind not in allowed_parents:
            errors.setdefault("parent", []).append(
                ValidationError(
                    _("A %(kind)s cannot sit under a %(parent)s."),
                    code="parent_kind",
                    params={
                        "kind": UnitKind(self.kind).label,
                        "parent": UnitKind(self.parent.kind).label,
                    },
                )
            )
        try:
            self._clean_codes()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if self.kind == UnitKind.SOCIAL_ENTITY and not self.entity_kind:
            errors.setdefault("entity_kind", []).append(
                ValidationError(_("A social entity needs its kind."), code="entity_kind")
            )
        if self.kind == UnitKind.DEPARTMENT and not self.function:
            errors.setdefault("function", []).append(
                ValidationError(_("A department needs its function."), code="function")
            )
        if errors:
            raise ValidationError(errors)

    def _clean_codes(self) -> None:
        parent_code = self.parent.code if self.parent is not None else None
        validators: dict[str, Callable[[str], None]] = {
            UnitKind.DISTRICT: lambda c: codes.validate_district_code(c),
            UnitKind.STREET: lambda c: codes.validate_street_code(c, parent_code),
            UnitKind.COMMUNITY: lambda c: codes.validate_community_code(c, parent_code),
        }
        errors: dict[str, list] = {}
        if self.kind in validators:
            if not self.code:
                errors["code"] = [ValidationError(_("This unit needs its division code."))]
            else:
                try:
                    validators[self.kind](self.code)
                except ValidationError as exc:
                    errors["code"] = exc.error_list
        elif self.code:
            errors["code"] = [
                ValidationError(_("Only districts, streets and communities have division codes."))
            ]
        if self.credit_code:
            try:
                codes.validate_credit_code(self.credit_code)
            except ValidationError as exc:
                errors["credit_code"] = exc.error_list
        if errors:
            raise ValidationError(errors)

    def ancestors(self) -> list[Unit]:
        """The units above this one, from the district down (one query)."""
        ids = [int(p) for p in self.path.strip("/").split("/")[:-1] if p]
        by_id = Unit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)


class CityLoopUserManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().select_related("unit")


class User(AbstractUser):
    """A member of staff: belongs to one unit and holds one or more roles there."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects: ClassVar[CityLoopUserManager] = CityLoopUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def roles(self) -> frozenset[str]:
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True))
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def sees_everything(self) -> bool:
        """Superusers and every user of the district unit see all records."""
        return self.is_superuser or (self.unit is not None and self.unit.kind == UnitKind.DISTRICT)


class RoleGrant(models.Model):
    """One role held by one user (in the user's unit)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="org_rolegrant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def clean(self) -> None:
        unit = self.user.unit if self.user_id else None
        if unit is not None and self.role not in ROLES_BY_UNIT_KIND.get(unit.kind, ()):
            raise ValidationError(
                {
                    "role": ValidationError(
                        _("The role %(role)s is not held in a unit of kind %(kind)s."),
                        params={
                            "role": Role(self.role).label,
                            "kind": UnitKind(unit.kind).label,
                        },
                    )
                }
            )


class ApiToken(models.Model):
    """A token for apps and integrations (12345 hotline, devices): acts as its user.

    Only a SHA-256 of the key is stored; the key itself is shown once, when it is made.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
