"""Health facts: is the database reachable, are all migrations applied."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


@dataclass(frozen=True)
class Health:
    database: bool
    migrations_pending: list[str]
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.database and not self.migrations_pending


def check_health() -> Health:
    """Ask the database a trivial question and compare applied migrations with the code's."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return Health(database=False, migrations_pending=[], error=str(exc))
    return Health(database=True, migrations_pending=[f"{m.app_label}.{m.name}" for m, _ in plan])
