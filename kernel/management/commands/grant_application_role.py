"""Give the application's PostgreSQL role what it needs, and nothing more.

    manage.py grant_application_role commons_app

Run it as the migration role (the owner of the tables), after `migrate`.
The application role may read and write rows: the guards refuse what the
rules refuse. It must not own the tables or be a superuser: the owner can
disable or drop the guards (docs/governance.md, "Threat model")."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role row access (not ownership) to every table."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the PostgreSQL role the servers connect as")
        parser.add_argument("--database", default="default")

    def handle(self, *args, role: str, database: str, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("Roles exist on PostgreSQL only; SQLite has none (see README).")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = %s", [role]
            )
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"There is no PostgreSQL role {role!r}; create it first.")
            if found[0] or found[1]:
                raise CommandError(
                    f"{role!r} is a superuser or the role running this command (the owner): "
                    "it could disable the guards. Use a separate role for the servers."
                )
            cursor.execute("SELECT current_schema()")
            schema = connection.ops.quote_name(cursor.fetchone()[0])
            quoted = connection.ops.quote_name(role)
            with transaction.atomic(using=database):
                for statement in (
                    f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} "
                    f"TO {quoted}",
                    f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
                    # The migration history is the owner's business.
                    f"REVOKE INSERT, UPDATE, DELETE ON {schema}.django_migrations FROM {quoted}",
                ):
                    cursor.execute(statement)
        self.stdout.write(
            f"{role} may read and write rows of every table in {schema}; the guards decide "
            "which writes stand. Run the servers as this role."
        )
