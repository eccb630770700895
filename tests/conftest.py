"""Shared test fixtures: members, a founded community, real Daphne servers and
a real Chromium. Under REQUIRE_SERVICES=1 / REQUIRE_BROWSER=1 (as in CI) a test
whose server or browser is missing fails instead of skipping."""

from __future__ import annotations

import io
import os
from contextlib import contextmanager

import pytest

from tests.factories import found, make_member
from tests.servers import (  # noqa: F401  (fixtures)
    browser,
    daphne_factory,
    daphne_server,
    page,
    private_redis,
    redis_url,
)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Login and reset rate limits count per test, not across the suite."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def site_language():
    """Every test starts in the site's language: a request in French leaves
    French active in its thread (LocaleMiddleware activates, never resets)."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def member(db):
    return make_member("mira")


@pytest.fixture
def community(db):
    """A founded community: alice founder, bob treasurer, carol steward, ada auditor."""
    alice = make_member("alice")
    bob = make_member("bob")
    carol = make_member("carol")
    ada = make_member("ada")
    found(founders=[alice], appointments={"treasurer": [bob], "steward": [carol], "auditor": [ada]})
    return {"alice": alice, "bob": bob, "carol": carol, "ada": ada}


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    return [
        f"commons: database={db} channel_layer={layer} "
        f"REQUIRE_SERVICES={os.environ.get('REQUIRE_SERVICES', '0')} "
        f"REQUIRE_BROWSER={os.environ.get('REQUIRE_BROWSER', '0')}"
    ]


# The role production servers connect as: row access, no ownership (README,
# "Production deployment"). CI creates it (.ci/run); locally:
#   CREATE ROLE commons_app NOLOGIN; GRANT commons_app TO <your user>;
APPLICATION_ROLE = "commons_app"


@pytest.fixture(scope="session")
def _application_role_granted(django_db_setup, django_db_blocker):
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APPLICATION_ROLE])
        if cursor.fetchone() is None:
            pytest.fail(
                f"PostgreSQL attack tests need the role {APPLICATION_ROLE}: "
                f"CREATE ROLE {APPLICATION_ROLE} NOLOGIN; GRANT {APPLICATION_ROLE} TO <test user>;"
            )
        call_command("grant_application_role", APPLICATION_ROLE, stdout=io.StringIO())
    return True


@pytest.fixture
def as_application(db, _application_role_granted):
    """Run writes as the application's own database connection would in
    production: on PostgreSQL as a role that does not own the tables (it
    cannot disable or drop the guards), on SQLite as is (SQLite has no roles).

        with as_application():
            Proposal.objects.filter(pk=...).update(state="passed")
    """
    from django.db import connection, transaction

    @contextmanager
    def application():
        # A savepoint: a refused write rolls the role back with it.
        with transaction.atomic():
            if _application_role_granted:
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL ROLE {APPLICATION_ROLE}")
            yield
            if _application_role_granted:
                with connection.cursor() as cursor:
                    cursor.execute("RESET ROLE")

    return application
