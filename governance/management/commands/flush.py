"""`flush` that respects the bylaw guard.

Flushing would erase the public record, which the guard forbids; outside the
test suite it refuses. The test suite resets its database between tests, so
there (and only where settings allow it) the guard triggers are removed for
the flush and reinstalled right after.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections


def guard_modules():
    for config in apps.get_app_configs():
        try:
            yield import_module(f"{config.name}.triggers")
        except ModuleNotFoundError:
            continue


class Command(FlushCommand):
    def handle(self, **options):
        if not getattr(settings, "ALLOW_GUARDED_FLUSH", False):
            raise CommandError(
                "flush would erase the governance journal and the ledger, which the bylaw "
                "guard forbids. To start over, create a new database."
            )
        connection = connections[options["database"]]
        modules = list(guard_modules())
        for module in modules:
            module.uninstall(connection)
        try:
            return super().handle(**options)
        finally:
            for module in modules:
                module.install(connection)
