"""Who acts, when it is not a member of staff: the system, and a citizen holding a key.

They are actors like any other: a table row lets them act by naming their role (``SYSTEM``,
``CITIZEN``), and the kernel checks that role and their reach like a user's, so that nothing
acts by being nobody. Neither role can be given to a user account (``org.choices.Role`` does
not hold them). The history records them by label, with no user.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

SYSTEM = "system"
CITIZEN = "citizen"
EXPLICIT_ROLES = frozenset({SYSTEM, CITIZEN})

SYSTEM_LABEL = "系统"
CITIZEN_LABEL = "市民"


class ExplicitActor(ABC):
    """Shaped like a user where the kernel asks (roles, unit, scope), with no account."""

    role: str = ""
    is_superuser = False
    is_authenticated = False
    sees_everything = False
    unit = None
    unit_id = None
    pk = None

    def __init__(self, label: str) -> None:
        self.label = label

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @abstractmethod
    def reaches(self, record: Any) -> bool:
        """Whether this actor may act on ``record`` at all (the unit check of a user)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label}>"


class SystemActor(ExplicitActor):
    """The system: the sweep, an action that follows another. It reaches every record; what it
    may do is exactly the rows that name ``SYSTEM``."""

    role = SYSTEM

    def __init__(self, label: str = SYSTEM_LABEL) -> None:
        super().__init__(label)

    def reaches(self, record: Any) -> bool:
        return True


class CitizenActor(ExplicitActor):
    """A citizen who proved, with a ticket and its key, that ``record`` is their own report.
    They reach that record only."""

    role = CITIZEN

    def __init__(self, record_pk: int, label: str = CITIZEN_LABEL) -> None:
        super().__init__(label)
        self.record_pk = record_pk

    def reaches(self, record: Any) -> bool:
        return bool(record.pk == self.record_pk)


def is_explicit(actor: Any) -> bool:
    return isinstance(actor, ExplicitActor)


def user_of(actor: Any) -> Any:
    """The user account behind ``actor`` (None for the system and citizens), for foreign keys."""
    return None if is_explicit(actor) else actor


def label_of(actor: Any) -> str:
    """How the history names the actor: 单位 · 姓名 for staff, the label for the others."""
    if is_explicit(actor):
        return str(actor.label)
    unit = getattr(actor, "unit", None)
    name = str(getattr(actor, "display_name", "") or actor.get_username())
    return f"{unit.display_name} · {name}" if unit else name
