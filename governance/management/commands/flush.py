"""`flush` that respects the bylaw guard.

Flushing would erase the public record, which the guard forbids; outside the
test suite it refuses. The test suite resets its database between tests, so
there (and only where settings allow it) the guards are removed for the flush
and reinstalled right after (the flush's `post_migrate` also puts back the
chain heads and the standard accounts).
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from kernel import guards


class Command(FlushCommand):
    def handle(self, **options):
        if not getattr(settings, "ALLOW_GUARDED_FLUSH", False):
            raise CommandError(
                "flush would erase the governance journal and the ledger, which the bylaw "
                "guard forbids. To start over, create a new database."
            )
        connection = connections[options["database"]]
        guards.uninstall(connection)
        try:
            return super().handle(**options)
        finally:
            guards.install(connection)
