"""The database guards: triggers written once, rendered for SQLite and PostgreSQL.

Every table whose rows carry power (bylaws, proposals and their rolls and
ballots, memberships and roles, the ledgers, moderation) is guarded by
triggers that refuse, below the application, every write that no rule
allows. Each app lists its guards in ``<app>/triggers.py``, whose
``guards()`` returns a `TriggerSet`; the kernel collects them and installs them after every
``migrate`` (and every test flush), so the database always holds exactly
the guards the code defines.

A guard is a list of `Rule`s: a condition under which the write is refused
and the message saying why. Conditions are SQL that both databases
understand (``NEW.``/``OLD.``, subqueries, ``CASE``, ``COALESCE``); the few
things they spell differently (the clock, time arithmetic, JSON, null-safe
comparison, row locks) come from the `Dialect` handed to each condition.

Every message starts with "<domain> guard:" so the IntegrityError names the
guard that refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction

from kernel import clock

SUPPORTED = ("sqlite", "postgresql")

Condition = str | Callable[["Dialect"], str]


class Sql(str):
    """A path segment or value that is an SQL expression, not a literal."""


@dataclass(frozen=True)
class Dialect:
    """How one database spells what the guards need."""

    vendor: str
    schema: str = ""

    @property
    def search_path(self) -> str:
        """The fixed search path of every guard function (PostgreSQL). A
        session can neither shadow the functions a guard calls (pg_catalog
        first) nor the tables it reads: a temporary table of the same name
        would come first unless pg_temp is named, last."""
        return f"pg_catalog, {self.schema}, pg_temp"

    # --- the clock --------------------------------------------------------

    @property
    def now(self) -> str:
        return "commons_now()"

    def _tolerance_days(self) -> float:
        return clock.TOLERANCE.total_seconds() / 86400

    def not_now(self, expr: str) -> str:
        """True when ``expr`` is missing or not "now" by the guard's clock."""
        if self.vendor == "postgresql":
            minutes = int(clock.TOLERANCE.total_seconds() // 60)
            return (
                f"({expr} IS NULL OR {expr} NOT BETWEEN {self.now} - interval '{minutes} minutes' "
                f"AND {self.now} + interval '{minutes} minutes')"
            )
        tolerance = self._tolerance_days()
        return (
            f"({expr} IS NULL OR julianday({expr}) NOT BETWEEN "
            f"julianday({self.now}) - {tolerance} AND julianday({self.now}) + {tolerance})"
        )

    def not_yet(self, expr: str) -> str:
        """True when the moment ``expr`` has not come yet, or is missing."""
        if self.vendor == "postgresql":
            return f"({expr} IS NULL OR {expr} > {self.now})"
        return f"({expr} IS NULL OR julianday({expr}) > julianday({self.now}))"

    def has_passed(self, expr: str) -> str:
        """True when the moment ``expr`` is set and has come."""
        return f"(NOT {self.not_yet(expr)})"

    def is_pending(self, expr: str) -> str:
        """True when the moment ``expr`` is set and still to come."""
        if self.vendor == "postgresql":
            return f"({expr} IS NOT NULL AND {expr} > {self.now})"
        return f"({expr} IS NOT NULL AND julianday({expr}) > julianday({self.now}))"

    def after_today(self, date_expr: str) -> str:
        """True when the date ``date_expr`` is after today (UTC) by the guard's clock."""
        if self.vendor == "postgresql":
            return f"({date_expr} > CAST(({self.now} AT TIME ZONE 'UTC') AS date))"
        return f"({date_expr} > date({self.now}))"

    def differs_by_days(self, later: str, earlier: str, days: str) -> str:
        """True unless ``later`` is exactly ``days`` × 24 hours after ``earlier``."""
        if self.vendor == "postgresql":
            exact = f"{later} = {earlier} + ({days}) * interval '24 hours'"
        else:
            exact = f"julianday({later}) = julianday({earlier}, '+' || ({days}) || ' days')"
        return f"({later} IS NULL OR {earlier} IS NULL OR ({days}) IS NULL OR NOT ({exact}))"

    def minus_days(self, moment: str, days: str) -> str:
        """A moment ``days`` × 24 hours before ``moment``, comparable with timestamps."""
        if self.vendor == "postgresql":
            return f"({moment} - ({days}) * interval '24 hours')"
        return f"julianday({moment}, '-' || ({days}) || ' days')"

    def at_or_before(self, a: str, b: str) -> str:
        """``a`` ≤ ``b`` for two timestamps, where ``b`` may come from `minus_days`."""
        if self.vendor == "postgresql":
            return f"({a} <= {b})"
        return f"(julianday({a}) <= {b})"

    def timestamp(self, text_expr: str) -> str:
        """An ISO 8601 text (the chains' ``at``) as a comparable timestamp."""
        if self.vendor == "postgresql":
            return f"CAST({text_expr} AS timestamptz)"
        return text_expr

    # --- comparisons ------------------------------------------------------

    def distinct(self, a: str, b: str) -> str:
        """Null-safe "differs" (SQLite before 3.39 has no IS DISTINCT FROM)."""
        if self.vendor == "postgresql":
            return f"({a} IS DISTINCT FROM {b})"
        return f"({a} IS NOT {b})"

    def any_distinct(self, columns: Iterable[str]) -> str:
        """True when any of ``columns`` differs between OLD and NEW."""
        parts = [self.distinct(f"NEW.{c}", f"OLD.{c}") for c in columns]
        return "(" + " OR ".join(parts) + ")" if parts else "FALSE"

    # --- JSON -------------------------------------------------------------

    def _json_path(self, expr: str, path: Sequence[str | int | Sql]) -> str:
        if self.vendor == "postgresql":
            parts = [p if isinstance(p, Sql) else f"'{p}'" for p in path]
            return f"jsonb_extract_path_text({expr}, {', '.join(parts)})"
        pieces = ["'$'"]
        for part in path:
            if isinstance(part, Sql):
                pieces.append(f"'.' || {part}")
            elif isinstance(part, int):
                pieces.append(f"'[{part}]'")
            else:
                pieces.append(f"'.{part}'")
        return f"json_extract({expr}, {' || '.join(pieces)})"

    def json_int(self, expr: str, *path: str | int | Sql) -> str:
        if self.vendor == "postgresql":
            return f"CAST({self._json_path(expr, path)} AS bigint)"
        return f"CAST({self._json_path(expr, path)} AS INTEGER)"

    def json_text(self, expr: str, *path: str | int | Sql) -> str:
        return self._json_path(expr, path)

    def json_true(self, expr: str, *path: str | int | Sql) -> str:
        value = self._json_path(expr, path)
        if self.vendor == "postgresql":
            return f"({value} = 'true')"
        return f"({value} = 1)"

    def json_equal(self, a: str, b: str) -> str:
        if self.vendor == "postgresql":
            return f"({a} = {b})"
        return f"(json({a}) = json({b}))"

    # --- PostgreSQL row locks ----------------------------------------------

    def lock(self, table: str, where: str) -> str:
        """Statements that lock rows before a guard's checks read them.

        Under READ COMMITTED two transactions can each check a total and both
        pass; locking the row the total belongs to makes them take turns.
        SQLite needs nothing: it has one writer at a time."""
        if self.vendor == "postgresql":
            return f"PERFORM 1 FROM {table} WHERE {where} FOR UPDATE;"
        return ""


@dataclass(frozen=True)
class Rule:
    """Refuse the write when ``refuse_when`` holds, saying ``message``.

    Guards fail closed: a condition that comes out NULL (a missing row, a
    missing rule value) refuses too, so write conditions that are definite
    for every write they allow."""

    message: str
    refuse_when: Condition

    def condition(self, dialect: Dialect) -> str:
        return self.refuse_when(dialect) if callable(self.refuse_when) else self.refuse_when


@dataclass(frozen=True)
class Guard:
    """A BEFORE trigger on one table and event (INSERT, UPDATE or DELETE).

    ``columns`` restricts an UPDATE guard to statements that set one of them,
    so a hot path (a ballot moving a tally) runs only the cheap guard meant
    for it. ``lock`` returns statements run first (PostgreSQL row locks)."""

    table: str
    event: str
    rules: tuple[Rule, ...]
    name: str = ""
    columns: tuple[str, ...] = ()
    lock: Callable[[Dialect], str] | None = None

    @property
    def trigger_name(self) -> str:
        suffix = f"_{self.name}" if self.name else ""
        return f"g_{self.table}_{self.event.lower()}{suffix}"[:63]


@dataclass(frozen=True)
class TriggerSet:
    """One app's guards. ``append_only`` tables refuse UPDATE and DELETE;
    ``no_delete`` tables refuse DELETE; every table named in either, or in
    ``no_truncate``, refuses TRUNCATE (PostgreSQL)."""

    guards: tuple[Guard, ...] = ()
    append_only: dict[str, str] = field(default_factory=dict)
    no_delete: dict[str, str] = field(default_factory=dict)
    no_truncate: dict[str, str] = field(default_factory=dict)

    def all_guards(self) -> list[Guard]:
        result = list(self.guards)
        for table, message in self.append_only.items():
            result.append(Guard(table, "UPDATE", (Rule(message, "TRUE"),), name="append_only"))
            result.append(Guard(table, "DELETE", (Rule(message, "TRUE"),), name="append_only"))
        for table, message in self.no_delete.items():
            result.append(Guard(table, "DELETE", (Rule(message, "TRUE"),), name="no_delete"))
        return result

    def truncate_messages(self) -> dict[str, str]:
        return {**self.no_truncate, **self.no_delete, **self.append_only}


def _quote(message: str) -> str:
    return message.replace("'", "''")


def literal(value) -> str:
    """An SQL string literal (for enum values and constants, never for input)."""
    return f"'{_quote(str(value))}'"


def render(guard: Guard, dialect: Dialect) -> list[str]:
    of = f" OF {', '.join(guard.columns)}" if guard.columns else ""
    name = guard.trigger_name
    if dialect.vendor == "sqlite":
        checks = "\n".join(
            f"  SELECT RAISE(ABORT, '{_quote(rule.message)}') "
            f"WHERE COALESCE(({rule.condition(dialect)}), TRUE);"
            for rule in guard.rules
        )
        return [
            f"CREATE TRIGGER {name} BEFORE {guard.event}{of} ON {guard.table} "
            f"FOR EACH ROW BEGIN\n{checks}\nEND"
        ]
    checks = "\n".join(
        f"  IF COALESCE(({rule.condition(dialect)}), TRUE) THEN\n"
        f"    RAISE EXCEPTION USING MESSAGE = '{_quote(rule.message)}', ERRCODE = '23000';\n"
        "  END IF;"
        for rule in guard.rules
    )
    prelude = guard.lock(dialect) if guard.lock else ""
    returned = "OLD" if guard.event == "DELETE" else "NEW"
    return [
        f"CREATE FUNCTION {dialect.schema}.{name}() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path = {dialect.search_path} AS $$\nBEGIN\n{prelude}\n{checks}\n"
        f"  RETURN {returned};\nEND $$",
        f"CREATE TRIGGER {name} BEFORE {guard.event}{of} ON {guard.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {dialect.schema}.{name}()",
    ]


def render_truncate(table: str, message: str, dialect: Dialect) -> list[str]:
    if dialect.vendor != "postgresql":
        return []  # SQLite has no TRUNCATE; DELETE guards cover it
    name = f"g_{table}_truncate"[:63]
    return [
        f"CREATE FUNCTION {dialect.schema}.{name}() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path = {dialect.search_path} AS $$\nBEGIN\n"
        f"  RAISE EXCEPTION USING MESSAGE = '{_quote(message)}', ERRCODE = '23000';\nEND $$",
        f"CREATE TRIGGER {name} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {dialect.schema}.{name}()",
    ]


# --- collecting and installing ------------------------------------------------


def _key_guards(tables: set[str]) -> list[Guard]:
    """A guarded row keeps its primary key: otherwise two rows could trade
    places (a passed proposal's with a draft's) and every other guard would
    judge the wrong row."""
    keys = {m._meta.db_table: m._meta.pk.column for m in apps.get_models()}
    return [
        Guard(
            table,
            "UPDATE",
            (
                Rule(
                    "guard: a guarded row's key never changes",
                    f"NEW.{keys[table]} <> OLD.{keys[table]}",
                ),
            ),
            name="key",
        )
        for table in sorted(tables)
        if table in keys
    ]


def trigger_sets() -> list[TriggerSet]:
    """Every installed app's guards (``guards()`` in ``<app>/triggers.py``)."""
    sets = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.triggers")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.triggers":
                raise
            continue
        sets.append(module.guards())
    return sets


def dialect_for(connection) -> Dialect:
    if connection.vendor not in SUPPORTED:
        raise ImproperlyConfigured(
            f"Commons' database guards exist for SQLite and PostgreSQL, not {connection.vendor}"
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema = cursor.fetchone()[0]
        return Dialect("postgresql", schema)
    return Dialect("sqlite")


def statements(connection) -> list[str]:
    """Everything that installs the guards on this connection's database."""
    dialect = dialect_for(connection)
    result = []
    if dialect.vendor == "postgresql":
        result.append(clock.postgresql_function(dialect.schema))
    truncate: dict[str, str] = {}
    guarded: set[str] = set()
    for trigger_set in trigger_sets():
        for guard in trigger_set.all_guards():
            result.extend(render(guard, dialect))
            guarded.add(guard.table)
        truncate.update(trigger_set.truncate_messages())
    for guard in _key_guards(guarded):
        result.extend(render(guard, dialect))
    for table, message in sorted(truncate.items()):
        result.extend(render_truncate(table, message, dialect))
    return result


def _drop_statements(connection) -> list[str]:
    """Commons owns every trigger in its database (SQLite) or schema
    (PostgreSQL): drop them all, including those of earlier versions."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            return [f"DROP TRIGGER IF EXISTS {name}" for (name,) in cursor.fetchall()]
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype"
        )
        return [f"DROP FUNCTION IF EXISTS {name} CASCADE" for (name,) in cursor.fetchall()]


def install(connection) -> None:
    """Replace whatever guards the database holds with the code's."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in [*_drop_statements(connection), *statements(connection)]:
            cursor.execute(statement)


def uninstall(connection) -> None:
    """Drop every guard (the test suite's flush, and tests of what only the
    database owner could do)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in _drop_statements(connection):
            cursor.execute(statement)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    install(connections[using])


def lift_for_migration(apps, schema_editor) -> None:
    """For `migrations.RunPython`, first in a migration that rewrites guarded
    rows or rebuilds guarded tables: `migrate` reinstalls every guard when it
    ends (`on_post_migrate`)."""
    uninstall(schema_editor.connection)
