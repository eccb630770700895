"""Helpers for debate tests: proposals with a debate open, and ballots."""

from __future__ import annotations

from datetime import timedelta

from proposals.models import Proposal


def make_proposal(author, *, title="Plant fruit trees in the courtyard") -> Proposal:
    """A motion in discussion, drafted and submitted through the services like
    any other (its debate starts with the event of its submission)."""
    from tests.proposals.factories import ProposalFactory

    return ProposalFactory(
        author=author, title=title, body="We propose to plant six apple trees.", phase="discussion"
    )


def due_for_voting(author, *, title="Plant fruit trees in the courtyard") -> Proposal:
    """A motion whose discussion is just over, its vote not yet opened: the
    next advance of the proposal (or its first ballot) opens the vote now."""
    import time_machine
    from django.utils import timezone

    from governance.selectors import current_parameters
    from tests.proposals.helpers import MINUTE, draft, submit

    proposal = draft(author, title=title, body="We propose to plant six apple trees.")
    days = timedelta(days=current_parameters().discussion_days)
    with time_machine.travel(timezone.now() - days - MINUTE, tick=False):
        return submit(proposal)


def cast_ballots(proposal: Proposal, *, yes=(), no=(), abstain=()) -> Proposal:
    """Real ballots on a proposal whose vote is open; returns it with its tally."""
    from proposals.services import cast_vote

    for choice, voters in (("yes", yes), ("no", no), ("abstain", abstain)):
        for voter in voters:
            cast_vote(proposal_id=proposal.pk, voter=voter, choice=choice)
    proposal.refresh_from_db()
    return proposal
