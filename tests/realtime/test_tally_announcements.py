"""Running tallies are announced after commit, coalesced per proposal, and
always end on the latest committed counts."""

import time

import pytest
from django.db import transaction

from proposals.models import Proposal
from realtime import publish
from realtime.models import DebateEvent
from tests.realtime.helpers import make_proposal

pytestmark = pytest.mark.django_db(transaction=True)


def tally_events(proposal):
    return list(
        DebateEvent.objects.filter(debate__proposal=proposal, type="debate.tally")
        .order_by("seq")
        .values_list("payload", flat=True)
    )


def count_ballot(proposal, yes):
    with transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(yes_count=yes)
        publish.tally_changed(proposal=proposal)


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
    proposal = make_proposal(community["alice"], state="voting")

    for yes in range(1, 6):
        count_ballot(proposal, yes)
    assert tally_events(proposal) == []  # nothing yet: the announcement waits
    events = wait_for_yes(proposal, 5)
    assert 1 <= len(events) < 5

    count_ballot(proposal, 6)  # a ballot after the announcement is not lost
    assert wait_for_yes(proposal, 6)[-1]["yes"] == 6


def test_a_secret_tally_is_never_announced(community, settings):
    settings.REALTIME_TALLY_INTERVAL = 0.1
    rules = {"tally_visible_during_vote": False}
    proposal = make_proposal(community["alice"], state="voting", rules=rules)
    count_ballot(proposal, 1)
    time.sleep(0.5)
    assert tally_events(proposal) == []
