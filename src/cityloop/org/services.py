"""Writes of the organisation app: creating units and users, granting roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from cityloop.org.models import RoleGrant, Unit, User


def unit_path(unit: Unit) -> str:
    """The materialised path of a saved unit: its parent's path plus its own id."""
    parent_path = unit.parent.path if unit.parent is not None else "/"
    return f"{parent_path}{unit.pk}/"


def unit_create(*, kind: str, name: str, parent: Unit | None = None, **fields) -> Unit:
    """Create a unit after validating its kind, parent and codes (``ValidationError`` if bad)."""
    return unit_save(unit=Unit(kind=kind, name=name, parent=parent, **fields))


@transaction.atomic
def unit_save(*, unit: Unit) -> Unit:
    """Save an edited or new unit; a changed parent moves its whole subtree (paths, depths)."""
    unit.full_clean(exclude=["path"])
    old_path = Unit.objects.filter(pk=unit.pk).values_list("path", flat=True).first()
    unit.depth = unit.parent.depth + 1 if unit.parent is not None else 0
    if unit.pk is None:
        unit.path = "/"
        unit.save()
    unit.path = unit_path(unit)
    unit.save()
    if old_path and old_path != unit.path:
        _subtree_move(old_path, unit.path, unit.depth)
    return unit


def _subtree_move(old_path: str, new_path: str, depth: int) -> None:
    moved = []
    for child in Unit.objects.filter(path__startswith=old_path).exclude(path=old_path):
        child.path = new_path + child.path[len(old_path) :]
        child.depth = depth + child.path[len(new_path) :].strip("/").count("/") + 1
        moved.append(child)
    Unit.objects.bulk_update(moved, ["path", "depth"], batch_size=1000)


def unit_paths_assign(units: Iterable[Unit]) -> list[Unit]:
    """Set path and depth on bulk-created units (parents must come before children)."""
    changed = []
    for unit in units:
        parent = unit.parent
        unit.depth = parent.depth + 1 if parent is not None else 0
        unit.path = unit_path(unit)
        changed.append(unit)
    Unit.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)
    return changed


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    unit: Unit | None,
    roles: Iterable[str] = (),
    display_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user in a unit with roles; each role must be one held in that kind of unit."""
    user = User(
        username=username,
        unit=unit,
        display_name=display_name,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    user.set_password(password) if password else user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    for role in roles:
        role_grant(user=user, role=role)
    return user


@transaction.atomic
def role_grant(*, user: User, role: str) -> RoleGrant:
    """Give a user a role, validated against the kind of the user's unit."""
    grant = RoleGrant(user=user, role=role)
    grant.full_clean(validate_unique=False)
    grant, _created = RoleGrant.objects.get_or_create(user=user, role=role)
    user.__dict__.pop("_roles_cache", None)
    return grant
