"""A year of realistic cases for the demo district (``cityloop demo``; docs/demo.md).

Every case has a consistent history: the entries a live case gets from intake, ``case_act``
and the deadline sweep, in the same shapes, written in bulk. Modules: ``mix`` (volumes and
rates), ``world`` (what is loaded once), ``places`` (where), ``texts`` (words), ``machine``
(one case's state and history), ``story`` (what happens to it, when), ``generate`` (day by
day), ``writer`` (bulk writes).
"""

from cityloop.demo.history.generate import (
    DEFAULT_DAYS,
    HistorySummary,
    delete_history,
    generate_history,
    history_exists,
)
from cityloop.demo.history.mix import DEFAULT_YEARLY, SEED_GROUPS
from cityloop.demo.history.world import HistoryUnavailable

__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_YEARLY",
    "SEED_GROUPS",
    "HistorySummary",
    "HistoryUnavailable",
    "delete_history",
    "generate_history",
    "history_exists",
]
