from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance.models import JournalEntry
from governance.selectors import current_version
from proposals import services
from proposals.errors import (
    TextFrozen,
    WrongPhase,
)
from proposals.models import Ballot, ElectorateEntry, Notification, Proposal, State
from tests.factories import make_member
from tests.proposals.factories import ProposalFactory
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


def test_the_roll_holds_exactly_the_members_the_tenure_rule_names(community):
    """Opening a vote builds the roll in SQL with the guard's own rule; it must
    name the same people as the rule read plainly: in good standing, and
    admitted at least the frozen tenure before voting opened."""
    from members.models import Membership
    from proposals.models import ElectorateEntry

    make_member("newcomer", admitted_days_ago=3)
    make_member("away", status="left")
    proposal = ProposalFactory(author=community["alice"], phase="voting")
    cutoff = proposal.voting_opens_at - timedelta(days=proposal.rules["min_tenure_days"])
    expected = set(
        Membership.objects.filter(
            status=Membership.Status.MEMBER, admitted_at__lte=cutoff
        ).values_list("member__username", flat=True)
    )
    roll = set(
        ElectorateEntry.objects.filter(proposal=proposal).values_list("member__username", flat=True)
    )
    assert roll == expected == {"alice", "bob", "carol", "ada"}
