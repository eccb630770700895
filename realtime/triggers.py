"""Database guards for the debate record, on SQLite and PostgreSQL.

The event log, the edit history and the moderation log are append-only, and
arguments are never deleted (stewards hide, they do not delete). Every message
starts with "debate guard:" so the IntegrityError names the guard.
"""

from __future__ import annotations

from governance.guards import (
    POSTGRESQL_REJECT_FUNCTION,
    TriggerSet,
    postgresql_append_only,
    postgresql_drops,
    postgresql_no_truncate,
    sqlite_append_only,
    sqlite_append_only_names,
    sqlite_reject,
)

APPEND_ONLY = {
    "realtime_debateevent": "debate guard: the debate event log is append-only",
    "realtime_argumentrevision": "debate guard: the edit history of an argument is append-only",
    "realtime_moderationaction": "debate guard: the moderation log is append-only",
}
NO_DELETE = {
    "realtime_argument": "debate guard: arguments are hidden, never deleted",
}


def _sqlite_statements() -> list[str]:
    return [
        *sqlite_append_only(APPEND_ONLY),
        *[sqlite_reject(table, "DELETE", message) for table, message in NO_DELETE.items()],
    ]


def _sqlite_names() -> list[str]:
    return [*sqlite_append_only_names(APPEND_ONLY), *[f"{t}_no_delete" for t in NO_DELETE]]


def _pg_statements() -> list[str]:
    return [
        POSTGRESQL_REJECT_FUNCTION,
        *postgresql_append_only(APPEND_ONLY),
        *postgresql_no_truncate({**APPEND_ONLY, **NO_DELETE}),
        *[
            f"CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION commons_reject_change('{message}')"
            for table, message in NO_DELETE.items()
        ],
    ]


def _pg_drop_statements() -> list[str]:
    return [
        *postgresql_drops(APPEND_ONLY, "append_only"),
        *postgresql_drops({**APPEND_ONLY, **NO_DELETE}, "no_truncate"),
        *postgresql_drops(NO_DELETE, "no_delete"),
    ]


GUARD = TriggerSet(
    sqlite=_sqlite_statements(),
    sqlite_names=_sqlite_names(),
    postgresql=_pg_statements(),
    postgresql_drop=_pg_drop_statements(),
)
install = GUARD.install
uninstall = GUARD.uninstall
