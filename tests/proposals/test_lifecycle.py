from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance.models import JournalEntry
from governance.selectors import current_version
from proposals import services
from proposals.errors import (
    InvalidChoice,
    InvalidProposal,
    NotAnAuthor,
    NotEligible,
    TextFrozen,
    VotingClosed,
    VotingNotOpen,
    WrongPhase,
)
from proposals.models import Ballot, ElectorateEntry, Notification, Proposal, State
from tests.factories import make_member
from tests.proposals.helpers import MINUTE, amend, draft, hold_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def voters(community):
    return [community["alice"], community["bob"], community["carol"], community["ada"]]


def submit_now(proposal):
    return services.submit_proposal(proposal_id=proposal.pk, actor=proposal.author)


def test_motion_goes_through_every_state_on_time_with_nobody_acting(community, voters):
    alice = community["alice"]
    start = timezone.now() - timedelta(days=40)
    with time_machine.travel(start, tick=False):
        proposal = draft(alice, title="Adopt a code of conduct")
        assert proposal.state == State.DRAFT
        proposal = submit_now(proposal)
        assert proposal.state == State.DISCUSSION
    with time_machine.travel(proposal.voting_opens_at - MINUTE, tick=False):
        assert services.governance_tick() == []
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=False):
        assert services.governance_tick() == [(proposal.pk, State.VOTING)]
        for voter in voters[:3]:
            services.cast_vote(proposal_id=proposal.pk, voter=voter, choice="yes")
        services.cast_vote(proposal_id=proposal.pk, voter=voters[3], choice="no")
    with time_machine.travel(proposal.voting_closes_at + MINUTE, tick=False):
        assert services.governance_tick() == [(proposal.pk, State.PASSED)]
        assert services.governance_tick() == []
    assert services.governance_tick() == [(proposal.pk, State.ENACTED)]
    kinds = list(
        JournalEntry.objects.filter(payload__proposal=proposal.pk).values_list("kind", flat=True)
    )
    assert kinds == [
        "proposal.submitted",
        "proposal.voting_opened",
        "proposal.closed",
        "proposal.enacted",
    ]
    closed = JournalEntry.objects.get(kind="proposal.closed", payload__proposal=proposal.pk)
    assert closed.payload["explanation"].startswith("passed: 75 % yes of yes+no > 1/2")


def test_entrenched_amendment_goes_through_notice_and_every_member_is_told(community, voters):
    alice = community["alice"]
    proposal = draft(
        alice,
        kind="amendment",
        title="Clarify the purpose",
        amendments=[
            {
                "article_slug": "purpose",
                "new_title": "Purpose",
                "new_class": "entrenched",
                "new_text": "A clearer purpose.",
            }
        ],
    )
    start = timezone.now() - timedelta(days=60)
    with time_machine.travel(start, tick=False):
        proposal = submit_now(proposal)
    assert proposal.decision_class == "entrenched"
    assert proposal.notice_ends_at == proposal.discussion_ends_at + timedelta(days=14)
    with time_machine.travel(proposal.discussion_ends_at + MINUTE, tick=False):
        proposal = services.advance_proposal(proposal_id=proposal.pk)
    assert proposal.state == State.NOTICE
    told = set(
        Notification.objects.filter(proposal=proposal, message__contains="announced").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"alice", "bob", "carol", "ada"}
    with (
        time_machine.travel(proposal.discussion_ends_at + MINUTE, tick=False),
        pytest.raises(TextFrozen),
    ):
        services.update_proposal(
            proposal_id=proposal.pk,
            actor=alice,
            title="Sneaky",
            body="changed",
            amendments=[
                {
                    "article_slug": "purpose",
                    "new_title": "Purpose",
                    "new_class": "entrenched",
                    "new_text": "Another purpose.",
                }
            ],
        )


def test_passed_entrenched_amendment_is_enacted_as_a_new_bylaw_version(community, voters):
    proposal = amend(community["alice"], voters, slug="purpose", text="A clearer purpose.")
    assert proposal.state == State.ENACTED
    version = current_version("purpose")
    assert (version.number, version.text, version.enacted_by_id) == (
        2,
        "A clearer purpose.",
        proposal.pk,
    )


def test_entrenched_amendment_below_three_quarters_is_rejected_and_changes_nothing(
    community, voters
):
    proposal = draft(
        community["alice"],
        kind="amendment",
        amendments=[
            {
                "article_slug": "asset-lock",
                "new_title": "Asset lock",
                "new_class": "ordinary",
                "new_text": "Assets may be sold to a company.",
            }
        ],
    )
    proposal = hold_vote(proposal, yes=voters[:2], no=voters[2:3])
    assert proposal.state == State.REJECTED
    assert current_version("asset-lock").number == 1


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
        read_while_open = services._proposal_for_ballot(proposal.pk, voter=bob)
    with time_machine.travel(proposal.voting_closes_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
    closed = Proposal.objects.get(pk=proposal.pk)
    reads = iter([read_while_open])
    real_read = services._proposal_for_ballot
    monkeypatch.setattr(
        services,
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


def test_withdrawal_is_only_possible_before_voting(community):
    alice = community["alice"]
    proposal = hold_vote(draft(alice), yes=[alice], enact=False)
    with pytest.raises(WrongPhase):
        services.withdraw_proposal(proposal_id=proposal.pk, actor=alice)


def test_a_closed_decision_cannot_be_rewritten_in_the_database(community):
    alice = community["alice"]
    proposal = hold_vote(draft(alice), no=[alice], enact=False)
    assert proposal.state == State.REJECTED
    with pytest.raises(IntegrityError, match="bylaw guard"), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(state="passed")
    with pytest.raises(IntegrityError, match="bylaw guard"), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(yes_count=100)
    proposal.refresh_from_db()
    assert proposal.state == State.REJECTED


def test_the_electorate_cannot_be_packed_after_voting_opens(community):
    alice = community["alice"]
    proposal = draft(alice)
    start = timezone.now() - timedelta(days=40)
    with time_machine.travel(start, tick=False):
        submit_now(proposal)
    proposal.refresh_from_db()
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
    intruder = make_member("intruder")
    with pytest.raises(IntegrityError, match="bylaw guard"), transaction.atomic():
        ElectorateEntry.objects.create(proposal=proposal, member=intruder)
    with pytest.raises(IntegrityError, match="bylaw guard"), transaction.atomic():
        Ballot.objects.create(
            proposal=proposal,
            voter=intruder,
            choice="yes",
            cast_at=timezone.now(),
            changed_at=timezone.now(),
            receipt_hash="x",
        )
