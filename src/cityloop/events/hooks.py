"""What other apps add to the closed loop, installed when they start (their ``AppConfig.ready``),
so that events imports nothing of theirs.

- ``sweeps``: other modules' clock sweeps that ``cityloop sweep`` runs after its own.
- ``referral``: the 移送执法 action's effect (``services.handlers.on_refer``): called inside the
  action's transaction with the case, the actor, the moment and the reason; returns the
  enforcement clue it registered (it has a ``number``) or raises a refusal. The enforcement app
  installs ``enforcement.services.refer_case``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

referral: Callable[..., Any] | None = None
# Other modules' clock sweeps, run by ``cityloop sweep`` after the closed loop's own:
# name → ``sweep(now) -> {"warning": n, "overdue": n}`` (the enforcement app installs its own).
sweeps: dict[str, Callable[[Any], dict[str, int]]] = {}


def install_referral(hook: Callable[..., Any]) -> None:
    global referral
    referral = hook
