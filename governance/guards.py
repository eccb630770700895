"""Running guard triggers: each app's `triggers.py` lists its statements per
database and calls these, so every guard is installed the same way."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class TriggerSet:
    """An app's guard: what to create and what to drop, per database. Each
    `<app>/triggers.py` exposes `install` and `uninstall` from one of these."""

    sqlite: list[str]
    sqlite_names: list[str]
    postgresql: list[str]
    postgresql_drop: list[str]

    def install(self, connection) -> None:
        execute_for_vendor(connection, sqlite=self.sqlite, postgresql=self.postgresql)

    def uninstall(self, connection) -> None:
        execute_for_vendor(
            connection,
            sqlite=drop_sqlite_triggers(self.sqlite_names),
            postgresql=self.postgresql_drop,
        )


# --- statements shared by every app's guards ----------------------------------

# The database's own clock, in the format Django stores datetimes in on SQLite.
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

POSTGRESQL_REJECT_FUNCTION = """
    CREATE OR REPLACE FUNCTION commons_reject_change() RETURNS trigger AS $$
    BEGIN
      RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = '23000';
    END; $$ LANGUAGE plpgsql"""


def postgresql_raise(message: str) -> str:
    """PL/pgSQL that aborts with an integrity error (Django's IntegrityError)."""
    return f"RAISE EXCEPTION '{message}' USING ERRCODE = '23000';"


def sqlite_reject(table: str, operation: str, message: str) -> str:
    """A SQLite trigger refusing every UPDATE or DELETE of `table`."""
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} BEFORE {operation} "
        f"ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def sqlite_append_only(tables: dict[str, str]) -> list[str]:
    return [
        sqlite_reject(table, operation, message)
        for table, message in tables.items()
        for operation in ("UPDATE", "DELETE")
    ]


def sqlite_append_only_names(tables: dict[str, str]) -> list[str]:
    return [f"{table}_no_{operation}" for table in tables for operation in ("update", "delete")]


def postgresql_append_only(tables: dict[str, str]) -> list[str]:
    return [
        f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION commons_reject_change('{message}')"
        for table, message in tables.items()
    ]


def postgresql_no_truncate(tables: dict[str, str]) -> list[str]:
    return [
        f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION commons_reject_change('{message}')"
        for table, message in tables.items()
    ]


def postgresql_drops(tables, suffix: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}" for table in tables]
