"""The demo district's year of enforcement cases (``cityloop demo``; docs/enforcement.md, "Demo").

Modules: ``mix`` (volumes and rates), ``staff`` (the teams and their credentials), ``parties``
(who the cases are against), ``story`` (what happens to a case, when), ``life`` (a case in
memory, act by act, on the live rules), ``links`` (referrals from the closed loop, evidence
packages), ``generate`` (the year drawn, told, written; a sample through the services).
"""

from cityloop.demo.enforcement.generate import (
    EnforcementSummary,
    delete_enforcement,
    enforcement_exists,
    generate_enforcement,
)
from cityloop.demo.enforcement.mix import DEFAULT_CASES

__all__ = [
    "DEFAULT_CASES",
    "EnforcementSummary",
    "delete_enforcement",
    "enforcement_exists",
    "generate_enforcement",
]
