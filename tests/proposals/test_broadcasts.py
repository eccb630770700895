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


def test_a_tally_event_carries_what_every_figure_of_the_page_shows(community, settings):
    """Counts, ballots and the "if voting closed now" explanation, written by
    the server once per language of the site: one event reaches readers of
    every language, and each page shows its own."""
    settings.REALTIME_TALLY_INTERVAL = 0
    proposal = voting_now(community["alice"], title="Plant fruit trees in the courtyard")
    cast_vote(proposal_id=proposal.pk, voter=community["bob"], choice="yes")
    cast_vote(proposal_id=proposal.pk, voter=community["carol"], choice="no")
    cast_vote(proposal_id=proposal.pk, voter=community["ada"], choice="yes")
    event = tally_events(proposal)[-1]
    assert {k: event[k] for k in ("yes", "no", "abstain", "ballots", "electorate")} == {
        "yes": 2,
        "no": 1,
        "abstain": 0,
        "ballots": 3,
        "electorate": 4,
    }
    assert set(event["explanation"]) == {code for code, _name in settings.LANGUAGES}
    assert event["explanation"]["en"] == (
        "If voting closed now: passed: 67 % yes of yes+no > 1/2; turnout 75 % ≥ 1/10 (3 of 4)"
    )
    assert event["explanation"]["fr"].startswith("Si le vote se terminait maintenant")
    assert "67 %" in event["explanation"]["fr"] and "(3 sur 4)" in event["explanation"]["fr"]


def test_the_close_announces_the_final_explanation(community):
    from tests.proposals.helpers import draft, hold_vote

    alice, bob, carol = community["alice"], community["bob"], community["carol"]
    proposal = hold_vote(draft(alice, title="Pave the courtyard"), yes=[alice], no=[bob, carol])
    state = (
        StreamEvent.objects.filter(stream__key=stream_of(proposal.pk), type="proposal.state")
        .order_by("-seq")
        .values_list("payload", flat=True)
        .first()
    )
    assert state["state"] == "rejected"
    assert state["tally"]["ballots"] == 3
    assert state["tally"]["explanation"]["en"].startswith("rejected: 33 % yes of yes+no")
