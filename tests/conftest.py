"""Shared test fixtures: members, a founded community, real Daphne servers and
a real Chromium. Under REQUIRE_SERVICES=1 / REQUIRE_BROWSER=1 (as in CI) a test
whose server or browser is missing fails instead of skipping."""

from __future__ import annotations

import os

import pytest

from tests.factories import found, make_member
from tests.servers import (  # noqa: F401  (fixtures)
    browser,
    daphne_factory,
    daphne_server,
    page,
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
