"""Fixtures of the red-team suite.

Every attack runs as the application's own database connection
(`as_application`: on PostgreSQL the role that does not own the tables) and
must be refused by the database with an IntegrityError naming its guard."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import IntegrityError


@pytest.fixture
def refused(as_application):
    """``with refused("bylaw guard"): <forgery>`` — the forgery, run as the
    application, is refused with an IntegrityError matching the pattern (a
    savepoint rolls back whatever it had written before the refusal)."""

    @contextmanager
    def refused(match: str):
        with pytest.raises(IntegrityError, match=match), as_application():
            yield

    return refused


@pytest.fixture
def attempt(as_application):
    """``with attempt(): ...`` — run as the application without expecting an
    outcome (DDL attacks on PostgreSQL assert their own error)."""
    return as_application
