"""Fixtures for the treasury: a founded community, receipts on a temporary
disk, and budget lines opened by a real vote and enactment."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.proposals.helpers import pass_budget


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def receipt_file(name="receipt.txt", content=b"Invoice 42: chairs, 120.00 EUR\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def enacted_budget(community, lines):
    """A budget proposal voted by the whole community and enacted."""
    people = list(community.values())
    return pass_budget(community["alice"], people, lines=lines)


@pytest.fixture
def budget(community):
    """Two voted lines: 'Workshop' 1,000.00 € and 'Printing' 200.00 €, general fund."""
    proposal = enacted_budget(
        community,
        [
            {"purpose": "Workshop", "amount_cents": 100_000, "fund": "general"},
            {"purpose": "Printing", "amount_cents": 20_000, "fund": "general"},
        ],
    )
    assert proposal.state == "enacted", proposal.state
    lines = list(proposal.budget_lines.order_by("pk"))
    return {"proposal": proposal, "workshop": lines[0], "printing": lines[1]}
