"""Selectors only read; pages and API answers apply what is due first, so a
page never shows a stale state."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from governance.models import JournalEntry
from proposals import selectors
from proposals.models import Proposal
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(community):
    """A proposal whose discussion is over, its vote not yet opened."""
    proposal = ProposalFactory(author=community["alice"], phase="discussion")
    return proposal


def later(proposal):
    return time_machine.travel(proposal.discussion_ends_at + timedelta(minutes=1), tick=False)


def test_selectors_do_not_apply_transitions(due):
    journal = JournalEntry.objects.count()
    with later(due):
        assert selectors.proposal_detail(due.pk).state == "discussion"
        assert [p.state for p in selectors.proposal_list()] == ["discussion"]
    assert Proposal.objects.get(pk=due.pk).state == "discussion"
    assert JournalEntry.objects.count() == journal


def test_the_page_applies_what_is_due_before_it_reads(due, client):
    with later(due):
        page = client.get(reverse("proposals:detail", args=[due.pk]))
    assert page.status_code == 200
    assert page.context["proposal"].state == "voting"


def test_the_list_and_the_api_apply_what_is_due(due, client):
    with later(due):
        listed = client.get(reverse("proposals:list"))
    assert [p.state for p in listed.context["page"]] == ["voting"]
    other = ProposalFactory(author=due.author, phase="discussion")
    with later(other):
        answer = client.get(f"/api/v1/proposals/{other.pk}/")
    assert answer.json()["state"] == "voting"
