"""Drafting and editing: what a proposal must hold, and who may change it."""

import pytest

from proposals import services
from proposals.errors import (
    InvalidProposal,
    NotAnAuthor,
)
from proposals.models import Proposal
from tests.proposals.helpers import draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def voters(community):
    return [community["alice"], community["bob"], community["carol"], community["ada"]]


def submit_now(proposal):
    return services.submit_proposal(proposal_id=proposal.pk, actor=proposal.author)


def test_empty_and_oversized_proposals_are_refused(community):
    alice = community["alice"]
    with pytest.raises(InvalidProposal, match="title"):
        draft(alice, title="  ")
    with pytest.raises(InvalidProposal, match="too long"):
        draft(alice, body="x" * 1_000_000)
    assert not Proposal.objects.exists()


def test_only_authors_and_invited_coauthors_edit(community):
    alice, bob, carol = community["alice"], community["bob"], community["carol"]
    proposal = draft(alice)
    with pytest.raises(NotAnAuthor):
        services.update_proposal(proposal_id=proposal.pk, actor=bob, title="T", body="B")
    services.invite_coauthor(proposal_id=proposal.pk, actor=alice, coauthor=bob)
    services.update_proposal(proposal_id=proposal.pk, actor=bob, title="Better", body="B")
    with pytest.raises(NotAnAuthor):
        services.update_proposal(proposal_id=proposal.pk, actor=carol, title="T", body="B")
    proposal.refresh_from_db()
    assert (proposal.title, proposal.revision) == ("Better", 2)
    assert list(proposal.revisions.values_list("number", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    "control",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"],
)
def test_a_title_with_characters_that_reorder_text_is_refused(community, control):
    from kernel.text import ReorderingCharacters

    with pytest.raises(ReorderingCharacters, match="The title"):
        services.create_draft(
            author=community["alice"], kind="motion", title=f"Budget{control} 2027", body="Why."
        )
    proposal = services.create_draft(
        author=community["alice"], kind="motion", title="Budget 2027 – café", body="Why."
    )
    with pytest.raises(ReorderingCharacters):
        services.update_proposal(
            proposal_id=proposal.pk, actor=community["alice"], title=f"Budget{control}", body="Why."
        )
