"""Background tasks of the closed loop (Django's tasks API; the database backend by default).

``cityloop sweep --every 60 --enqueue`` puts ``sweep_deadlines`` on the queue once a minute and
``cityloop db_worker`` processes run it; ``cityloop sweep --every 60`` runs it in-process
instead (docs/deadlines.md).
"""

from __future__ import annotations

from django_tasks import task

from cityloop.events.services.sweep import deadline_sweep


@task()
def sweep_deadlines() -> dict:
    """The deadline sweep (warning, overdue, notifications, escalation); returns its counts.

    Safe when several workers run it at once: each clock turns exactly once.
    """
    return deadline_sweep().as_dict()
