"""Running tallies are announced after commit, coalesced per proposal, and
always end on the latest committed counts."""

import time

import pytest

from proposals.broadcasts import stream_of
from proposals.services import cast_vote
from realtime.models import StreamEvent
from tests.factories import make_member
from tests.proposals.helpers import change_rules, voting_now

pytestmark = pytest.mark.django_db(transaction=True)


def tally_events(proposal):
    return list(
        StreamEvent.objects.filter(stream__key=stream_of(proposal.pk), type="proposal.tally")
        .order_by("seq")
        .values_list("payload", flat=True)
    )


def electorate(community, extra=0):
    """The community's members and `extra` more, all members for a year."""
    return [*community.values(), *(make_member(f"voter{n}") for n in range(extra))]


def count_ballot(proposal, voter):
    """A real ballot: committed on its own, announced after its commit."""
    cast_vote(proposal_id=proposal.pk, voter=voter, choice="yes")


def wait_for_yes(proposal, yes, *, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        events = tally_events(proposal)
        if events and events[-1]["yes"] == yes:
            return events
        time.sleep(0.05)
    raise AssertionError(f"no tally event with yes={yes}: {tally_events(proposal)}")


def test_ballots_in_quick_succession_are_announced_together_with_the_latest_counts(
    community, settings
):
    settings.REALTIME_TALLY_INTERVAL = 0.5
    voters = electorate(community, extra=2)
    proposal = voting_now(community["alice"], title="Plant fruit trees in the courtyard")

    for voter in voters[:5]:
        count_ballot(proposal, voter)
    assert tally_events(proposal) == []  # nothing yet: the announcement waits
    events = wait_for_yes(proposal, 5)
    assert 1 <= len(events) < 5

    count_ballot(proposal, voters[5])  # a ballot after the announcement is not lost
    assert wait_for_yes(proposal, 6)[-1]["yes"] == 6


def test_a_secret_tally_is_never_announced(community, settings):
    settings.REALTIME_TALLY_INTERVAL = 0.1
    voters = electorate(community)
    change_rules(community["alice"], voters, tally_visible_during_vote=False)
    proposal = voting_now(community["alice"], title="Plant fruit trees in the courtyard")
    assert proposal.rules["tally_visible_during_vote"] is False
    count_ballot(proposal, voters[0])
    proposal.refresh_from_db()
    assert proposal.yes_count == 1  # counted, just not announced
    time.sleep(0.5)
    assert tally_events(proposal) == []
