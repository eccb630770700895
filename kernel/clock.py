"""The clock the database guards read: `commons_now()` in SQL.

A guard decides "not before" questions (a vote closes only after its window,
a change is enacted only after its timelock) and "now" questions (a proposal
is submitted, a member admitted, a ballot cast *now*, not backdated). Whoever
can write rows must not also be able to choose the time they are judged by.

- PostgreSQL: by default (``GUARD_CLOCK = "database"``) the function returns
  the database server's own clock when the statement started
  (``statement_timestamp()``, not ``now()``, which is when the transaction
  started: a transaction held open for weeks must not write "now" rows dated
  weeks ago). The application's role can neither change that clock nor
  replace the function, which the migration role owns.
- SQLite has no roles: whoever runs the application can rewrite the file, so
  the guard there protects against mistakes and casual edits, and the clock is
  the application's (registered on every connection). A connection that did
  not register it (the sqlite3 shell) cannot write guarded rows at all.
- The test suite moves time with time-machine. With ``GUARD_CLOCK =
  "application"`` (test settings only; refused in production by a system
  check) the PostgreSQL function reads the application's time from the
  session setting ``commons.now``, which the test suite sends before each
  query while time is moved.

docs/governance.md ("How the guard tells the time") explains the choice.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone

# How far a timestamp written "now" may be from the guard's clock: covers the
# time between the application reading its clock and the database starting
# the transaction, and clock drift between servers. Backdating by less gains
# nothing (every period is measured in days).
TOLERANCE = timedelta(minutes=5)

DATABASE = "database"
APPLICATION = "application"


def guard_clock() -> str:
    return getattr(settings, "GUARD_CLOCK", DATABASE)


def sqlite_now() -> str:
    """The application's time in Django's SQLite storage format (naive UTC)."""
    return timezone.now().astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("commons_now", 0, sqlite_now)
    elif guard_clock() == APPLICATION:
        # A pooled connection may carry the time another test sent it: say
        # it again before the first query.
        connection._commons_now_sent = None
        if _send_application_time not in connection.execute_wrappers:
            connection.execute_wrappers.append(_send_application_time)


def _send_application_time(execute, sql, params, many, context):
    from psycopg.pq import TransactionStatus

    """Under the application clock, tell PostgreSQL the time before each query
    while time-machine moves it (and that it stopped, once it has)."""
    connection = context["connection"]
    value = timezone.now().isoformat() if _is_travelling() else ""
    raw = connection.connection
    if raw.info.transaction_status == TransactionStatus.INERROR:
        return execute(sql, params, many, context)  # only a rollback can run now
    if value or getattr(connection, "_commons_now_sent", None) != value:
        # A cursor of its own: the query's cursor may be a server-side one.
        raw.execute("SELECT set_config('commons.now', %s, false)", [value])
        connection._commons_now_sent = value
    return execute(sql, params, many, context)


def _is_travelling() -> bool:
    try:
        from time_machine import escape_hatch
    except ImportError:  # pragma: no cover - time-machine is a dependency
        return False
    return escape_hatch.is_travelling()


def postgresql_function(schema: str) -> str:
    if guard_clock() == APPLICATION:
        body = (
            "SELECT COALESCE(NULLIF(current_setting('commons.now', true), '')::timestamptz, "
            "statement_timestamp())"
        )
    else:
        body = "SELECT statement_timestamp()"
    return (
        f"CREATE OR REPLACE FUNCTION {schema}.commons_now() RETURNS timestamptz "
        f"LANGUAGE sql STABLE AS $$ {body} $$"
    )
