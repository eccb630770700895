"""Fixtures of the red-team suite.

Every attack runs as the application's own database connection
(`as_application`: on PostgreSQL the role that does not own the tables) and
must be refused by the database with an IntegrityError naming its guard."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from tests.factories import make_member
from tests.guards.helpers import held
from tests.guards.treasury_helpers import upload
from tests.proposals.helpers import draft, pass_budget
from treasury import services
from treasury.models import Fund


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


@pytest.fixture
def people(community):
    """Seven members of a year's standing: the community and eve, finn, gus."""
    extra = {name: make_member(name) for name in ("eve", "finn", "gus")}
    return {**community, **extra}


@pytest.fixture
def lost_vote(people):
    """A motion voted 2 yes / 5 no; its window closed an hour ago and the close
    has not been applied yet."""
    proposal = held(
        draft(people["alice"], title="Give the founder a salary"),
        yes=[people["alice"], people["bob"]],
        no=[people[n] for n in ("carol", "ada", "eve", "finn", "gus")],
        closed_ago=timedelta(hours=1),
        close=False,
    )
    assert proposal.state == "voting" and proposal.voting_closes_at < timezone.now()
    return proposal


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def books(community):
    """Voted lines (Workshop 1,000.00; Printing 200.00), 2,000.00 donated to the
    bank, a receipt, and bob the treasurer."""
    bob = community["bob"]
    proposal = pass_budget(
        community["alice"],
        list(community.values()),
        lines=[
            {"purpose": "Workshop", "amount_cents": 100_000, "fund": "general"},
            {"purpose": "Printing", "amount_cents": 20_000, "fund": "general"},
        ],
    )
    assert proposal.state == "enacted"
    workshop, printing = proposal.budget_lines.order_by("pk")
    income = services.record_income(
        actor=bob, kind="donation", amount_cents=200_000, date=timezone.now().date(), method="bank"
    )
    return {
        **community,
        "workshop": workshop,
        "printing": printing,
        "income": income,
        "receipt": services.store_receipt(actor=bob, upload=upload()),
        "general": Fund.objects.get(slug="general"),
    }
