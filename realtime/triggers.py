"""Database guards for the debate record, on SQLite and PostgreSQL.

The event log, the edit history and the moderation log are append-only, and
arguments are never deleted (stewards hide, they do not delete). Every message
starts with "debate guard:" so the IntegrityError names the guard.
"""

from __future__ import annotations

from governance.guards import drop_sqlite_triggers, execute_for_vendor

APPEND_ONLY = {
    "realtime_debateevent": "debate guard: the debate event log is append-only",
    "realtime_argumentrevision": "debate guard: the edit history of an argument is append-only",
    "realtime_moderationaction": "debate guard: the moderation log is append-only",
}
NO_DELETE = {
    "realtime_argument": "debate guard: arguments are hidden, never deleted",
}


def _sqlite_statements() -> list[str]:
    statements = []
    for table, msg in APPEND_ONLY.items():
        for op in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{msg}'); END"
            )
    for table, msg in NO_DELETE.items():
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{msg}'); END"
        )
    return statements


def _sqlite_names() -> list[str]:
    names = [f"{t}_no_{op}" for t in APPEND_ONLY for op in ("update", "delete")]
    return names + [f"{t}_no_delete" for t in NO_DELETE]


PG_FUNCTION = """CREATE OR REPLACE FUNCTION realtime_reject_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = '23000';
END; $$ LANGUAGE plpgsql"""


def _pg_statements() -> list[str]:
    statements = [PG_FUNCTION]
    for table, msg in APPEND_ONLY.items():
        statements.append(
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION realtime_reject_change('{msg}')"
        )
    for table, msg in {**APPEND_ONLY, **NO_DELETE}.items():
        statements.append(
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION realtime_reject_change('{msg}')"
        )
    for table, msg in NO_DELETE.items():
        statements.append(
            f"CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION realtime_reject_change('{msg}')"
        )
    return statements


def _pg_drop_statements() -> list[str]:
    statements = []
    for table in APPEND_ONLY:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    for table in {**APPEND_ONLY, **NO_DELETE}:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    for table in NO_DELETE:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table}")
    return statements


def install(connection) -> None:
    execute_for_vendor(connection, sqlite=_sqlite_statements(), postgresql=_pg_statements())


def uninstall(connection) -> None:
    execute_for_vendor(
        connection,
        sqlite=drop_sqlite_triggers(_sqlite_names()),
        postgresql=_pg_drop_statements(),
    )
