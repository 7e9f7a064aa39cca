"""The ``cityloop`` console command: Django's management commands under one name.

``cityloop migrate``, ``cityloop demo``, ``cityloop serve`` … are the project's management
commands; ``cityloop`` alone lists them.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["cityloop", *argv])
    args[0] = "cityloop"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
