"""Fixtures for the treasury: a founded community, receipts on a temporary
disk, and budget lines opened by a real vote and enactment."""

from __future__ import annotations

import pytest

from tests.treasury.factories import BudgetFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def budget(community):
    """Two voted lines: 'Workshop' 1,000.00 € and 'Printing' 200.00 €, general fund."""
    proposal = BudgetFactory(
        author=community["alice"],
        voters=list(community.values()),
        lines=[
            {"purpose": "Workshop", "amount_cents": 100_000, "fund": "general"},
            {"purpose": "Printing", "amount_cents": 20_000, "fund": "general"},
        ],
    )
    lines = list(proposal.budget_lines.order_by("pk"))
    return {"proposal": proposal, "workshop": lines[0], "printing": lines[1]}
