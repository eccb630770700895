"""System checks of the kernel."""

from __future__ import annotations

from django.core import checks

from kernel import clock


@checks.register(checks.Tags.security, deploy=True)
def guard_clock_is_the_database(app_configs, **kwargs):
    """In production the guards must read the database's clock: under the
    application clock, whoever runs the application chooses the time the
    guards judge deadlines and backdating by."""
    if clock.guard_clock() != clock.DATABASE:
        return [
            checks.Error(
                "GUARD_CLOCK is 'application': the database guards read the time the application "
                "sends them. That is for test suites only.",
                hint="Unset GUARD_CLOCK (the default, 'database', uses PostgreSQL's own clock).",
                id="kernel.E001",
            )
        ]
    return []
