"""Casting ballots: who may vote, changing a ballot, the window, races with the close."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from proposals import services
from proposals.errors import (
    InvalidChoice,
    NotEligible,
    VotingClosed,
    VotingNotOpen,
)
from proposals.models import Ballot, ElectorateEntry, Proposal
from proposals.services import ballots
from tests.factories import make_member
from tests.proposals.helpers import MINUTE, draft, hold_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def voters(community):
    return [community["alice"], community["bob"], community["carol"], community["ada"]]


def submit_now(proposal):
    return services.submit_proposal(proposal_id=proposal.pk, actor=proposal.author)


def test_members_admitted_after_voting_opened_cannot_vote(community, voters):
    proposal = draft(community["alice"])
    start = timezone.now() - timedelta(days=40)
    with time_machine.travel(start, tick=False):
        submit_now(proposal)
    proposal.refresh_from_db()
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
        latecomers = [make_member(f"late{i}", admitted_days_ago=0) for i in range(50)]
        for person in latecomers:
            with pytest.raises(NotEligible, match="admitted after voting opened"):
                services.cast_vote(proposal_id=proposal.pk, voter=person, choice="yes")
    assert ElectorateEntry.objects.filter(proposal=proposal).count() == 4
    assert Ballot.objects.filter(proposal=proposal).count() == 0


def test_member_without_enough_tenure_is_told_why(community):
    # voting opens 23 days ago in hold_vote: 10 days of tenure then
    newcomer = make_member("newcomer", admitted_days_ago=33)
    proposal = draft(community["alice"])
    proposal = hold_vote(proposal, yes=[community["alice"]], enact=False)
    reason = services.ineligibility_reason(proposal=proposal, person=newcomer)
    assert "30 days" in reason


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_nobody_logged_in_is_asked_to_log_in_to_vote(community, nobody):
    proposal = draft(community["alice"])
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        submit_now(proposal)
    proposal.refresh_from_db()
    with (
        time_machine.travel(proposal.voting_opens_at + MINUTE, tick=False),
        pytest.raises(NotEligible, match="Log in to vote"),
    ):
        services.cast_vote(proposal_id=proposal.pk, voter=nobody, choice="yes")
    assert not Ballot.objects.exists()


def test_a_member_may_change_their_ballot_and_the_last_one_counts(community, voters):
    proposal = draft(community["alice"])
    start = timezone.now() - timedelta(days=40)
    with time_machine.travel(start, tick=False):
        submit_now(proposal)
    proposal.refresh_from_db()
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
        bob = community["bob"]
        services.cast_vote(proposal_id=proposal.pk, voter=bob, choice="yes")
        services.cast_vote(proposal_id=proposal.pk, voter=bob, choice="no")
        services.cast_vote(proposal_id=proposal.pk, voter=bob, choice="no")
    proposal.refresh_from_db()
    assert (proposal.yes_count, proposal.no_count, proposal.abstain_count) == (0, 1, 0)
    assert Ballot.objects.get(proposal=proposal, voter=bob).choice == "no"
    assert services.recount(proposal) == {"yes": 0, "no": 1, "abstain": 0}


@pytest.mark.parametrize("first_ballot", [True, False])
def test_a_ballot_racing_the_close_is_refused_and_leaves_the_result_intact(
    community, voters, monkeypatch, first_ballot
):
    """The cast read the proposal while voting was open; the close committed
    before the cast wrote. The ballot is refused, not half-counted."""
    proposal = draft(community["alice"])
    with time_machine.travel(timezone.now() - timedelta(days=40), tick=False):
        submit_now(proposal)
    proposal.refresh_from_db()
    bob = community["bob"]
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
        services.cast_vote(proposal_id=proposal.pk, voter=community["alice"], choice="yes")
        if not first_ballot:
            services.cast_vote(proposal_id=proposal.pk, voter=bob, choice="yes")
        read_while_open = ballots._proposal_for_ballot(proposal.pk, voter=bob)
    with time_machine.travel(proposal.voting_closes_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
    closed = Proposal.objects.get(pk=proposal.pk)
    reads = iter([read_while_open])
    real_read = ballots._proposal_for_ballot
    monkeypatch.setattr(
        ballots,
        "_proposal_for_ballot",
        lambda pk, voter: next(reads, None) or real_read(pk, voter=voter),
    )
    before_the_close = read_while_open.voting_closes_at - MINUTE
    with time_machine.travel(before_the_close, tick=False), pytest.raises(VotingClosed):
        services.cast_vote(proposal_id=proposal.pk, voter=bob, choice="no")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.yes_count, proposal.no_count) == (
        closed.state,
        closed.yes_count,
        closed.no_count,
    )
    assert services.recount(proposal) == {
        "yes": closed.yes_count,
        "no": 0,
        "abstain": 0,
    }


@pytest.mark.parametrize("state_setup", ["draft", "discussion", "withdrawn", "closed"])
def test_voting_outside_the_window_is_refused(community, state_setup):
    alice = community["alice"]
    proposal = draft(alice)
    expected = VotingNotOpen
    if state_setup == "discussion":
        submit_now(proposal)
    elif state_setup == "withdrawn":
        services.withdraw_proposal(proposal_id=proposal.pk, actor=alice)
        expected = VotingClosed
    elif state_setup == "closed":
        hold_vote(proposal, yes=[alice], enact=False)
        expected = VotingClosed
    with pytest.raises(expected):
        services.cast_vote(proposal_id=proposal.pk, voter=alice, choice="yes")
    assert (
        not Ballot.objects.filter(proposal=proposal, voter=alice)
        .exclude(cast_at__lt=timezone.now() - timedelta(days=1))
        .exists()
        or state_setup == "closed"
    )


def test_unknown_choice_is_refused(community):
    with pytest.raises(InvalidChoice):
        services.cast_vote(proposal_id=1, voter=community["alice"], choice="maybe")
