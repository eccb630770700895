"""`proposals.phases` is the one table of what each phase allows: the
services, the debate and the published results all follow it."""

import pytest

from debates.permissions import is_open_for_posting
from kernel.errors import DomainError
from proposals import selectors, services
from proposals.models import State
from proposals.phases import PHASES, due_filter, is_due, phase_of, tally_is_public
from tests.proposals.factories import ProposalFactory
from tests.proposals.helpers import hold_vote

pytestmark = pytest.mark.django_db


def allowed(action) -> bool:
    try:
        action()
    except DomainError:
        return False
    return True


@pytest.fixture
def proposals(community):
    alice = community["alice"]
    voters = list(community.values())
    return {
        State.DRAFT: ProposalFactory(author=alice),
        State.DISCUSSION: ProposalFactory(author=alice, phase="discussion"),
        State.VOTING: ProposalFactory(author=alice, phase="voting"),
        State.ENACTED: hold_vote(ProposalFactory(author=alice), yes=voters),
        State.REJECTED: hold_vote(ProposalFactory(author=alice), no=voters),
    }


def test_each_phase_allows_what_the_table_says(proposals):
    for state, proposal in proposals.items():
        assert proposal.state == state
        phase = PHASES[state]
        author = proposal.author

        def edit(p=proposal, a=author):
            services.update_proposal(proposal_id=p.pk, actor=a, title="New title", body="New.")

        assert allowed(edit) == phase.is_editable, state
        assert is_open_for_posting(proposal) == phase.is_debatable, state
        assert tally_is_public(proposal) == selectors.results(proposal)["visible"], state
        assert selectors.results(proposal)["final"] == phase.is_decided, state


def test_withdrawing_follows_the_table(proposals):
    for state, proposal in proposals.items():
        expected = PHASES[state].is_withdrawable

        def withdraw(p=proposal):
            services.withdraw_proposal(proposal_id=p.pk, actor=p.author)

        assert allowed(withdraw) == expected, state


def test_due_is_one_rule_for_one_proposal_and_for_a_query(proposals):
    from datetime import timedelta

    from django.utils import timezone

    from proposals.models import Proposal

    for days in (0, 10, 40, 400):
        now = timezone.now() + timedelta(days=days)
        one_by_one = {p.pk for p in Proposal.objects.all() if is_due(p, now)}
        by_query = set(Proposal.objects.filter(due_filter(now)).values_list("pk", flat=True))
        assert one_by_one == by_query, days
    assert phase_of(proposals[State.VOTING]).is_voting
