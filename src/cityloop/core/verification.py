"""What ``cityloop verify`` checks: each app that keeps sealed data registers a check here in
its ``AppConfig.ready`` (the waste evidence chain, the enforcement case files), so that the one
command covers them all without core importing the apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class Outcome(Protocol):
    @property
    def ok(self) -> bool: ...

    @property
    def problems(self) -> list[Any]: ...

    def summary(self) -> str: ...


@dataclass(frozen=True)
class Check:
    name: str
    help: str
    # run(selection, progress) → its report; ``selection`` is the numbers the command was given
    # for this check (empty: everything), ``progress(done, total)`` reports on stderr.
    run: Callable[[list[str], Callable[[int, int], None]], Outcome]
    option: str  # the command's option that selects numbers for this check ("--package")
    noun: str  # what progress counts ("packages")


CHECKS: dict[str, Check] = {}


def register(check: Check) -> None:
    CHECKS[check.name] = check
