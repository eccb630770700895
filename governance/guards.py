"""Running guard triggers: each app's `triggers.py` lists its statements per
database and calls these, so every guard is installed the same way."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

SUPPORTED = ("sqlite", "postgresql")


def execute_for_vendor(connection, *, sqlite: list[str], postgresql: list[str]) -> None:
    """Run the statements written for this database; refuse any other database,
    since Commons must not run without its guards."""
    if connection.vendor not in SUPPORTED:
        raise ImproperlyConfigured(
            f"Commons' database guards exist for SQLite and PostgreSQL, not {connection.vendor}"
        )
    statements = sqlite if connection.vendor == "sqlite" else postgresql
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_sqlite_triggers(names: list[str]) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
