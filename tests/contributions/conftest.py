"""Fixtures of the contributions tests: a founded community (alice founder,
bob treasurer, carol steward, ada auditor) with two more members, and an
enacted proposal community needs can name as their authority."""

from __future__ import annotations

import pytest

from tests.factories import make_member
from tests.proposals.helpers import pass_proposal


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def people(community):
    extra = {name: make_member(name) for name in ("dave", "erin")}
    return {**community, **extra}


@pytest.fixture
def voters(people):
    return list(people.values())


@pytest.fixture
def gathering(people, voters):
    """An enacted motion: the hosts' gathering the community decided to hold."""
    proposal = pass_proposal(people["alice"], voters, title="Hold the hosts' gathering")
    assert proposal.state == "enacted"
    return proposal
