"""Red team: ballots and the running tally, attacked through the
application's own connection."""

from __future__ import annotations

from django.utils import timezone

from proposals import services
from proposals.models import (
    Ballot,
    Proposal,
)
from tests.factories import make_member
from tests.guards.helpers import (
    DAY,
    MINUTE,
    raw,
    rows,
    submitted_ago,
)
from tests.guards.proposals_helpers import (
    BALLOT,
    BALLOT_CHANGE,
    proposal_rows,
)
from tests.proposals.helpers import draft, voting_now

# --- ballots and the tally -----------------------------------------------------------------------


def test_ballots_come_only_from_the_roll_inside_the_window_now(people, refused):
    voting = voting_now(people["alice"])
    discussed = submitted_ago(draft(people["bob"]), MINUTE)
    newcomer = make_member("newcomer", admitted_days_ago=1)
    now = timezone.now()

    def ballot(proposal, voter, **fields):
        values = {"choice": "yes", "cast_at": now, "changed_at": now, "receipt_hash": "0" * 64}
        values.update(fields)
        return Ballot(proposal=proposal, voter=voter, **values)

    with refused(BALLOT):  # not on the roll
        ballot(voting, newcomer).save()
    with refused(BALLOT):  # before voting opens
        ballot(discussed, people["carol"]).save()
    with refused(BALLOT):  # backdated
        ballot(voting, people["carol"], cast_at=now - DAY, changed_at=now - DAY).save()
    with refused(BALLOT):
        Ballot.objects.bulk_create([ballot(voting, people["carol"], changed_at=now + DAY)])
    assert not Ballot.objects.exists()


def test_a_suspended_member_cannot_vote(people, refused):
    """Once got through (both databases, medium). docs/members.md: "a suspended member
    cannot vote or post". The ballot guard asks only whether the voter is on
    the roll frozen at the opening, not whether they are in good standing
    now; the service asks the same (`ineligibility_reason` returns None for
    anyone on the roll), so a member suspended mid-vote still votes."""
    from members.services import suspend_member

    voting = voting_now(people["alice"])
    suspend_member(member=people["gus"], actor=people["carol"], reason="Harassment.")
    now = timezone.now()
    with refused(BALLOT):
        Ballot.objects.create(
            proposal=voting,
            voter=people["gus"],
            choice="yes",
            cast_at=now,
            changed_at=now,
            receipt_hash="0" * 64,
        )
    assert not Ballot.objects.exists()


def test_a_ballot_changes_only_its_choice_and_is_never_deleted(people, refused):
    voting = voting_now(people["alice"])
    services.cast_vote(proposal_id=voting.pk, voter=people["carol"], choice="no")
    ballot = Ballot.objects.get()
    before = rows(Ballot)
    for change in (
        {"voter": people["alice"]},
        {"cast_at": timezone.now() - DAY},
        {"receipt_hash": "f" * 64},
        {"choice": "yes", "changed_at": timezone.now() - DAY},
    ):
        with refused(BALLOT_CHANGE):
            Ballot.objects.filter(pk=ballot.pk).update(**change)
    with refused("ballots cannot be deleted"):
        Ballot.objects.filter(pk=ballot.pk).delete()
    with refused("ballots cannot be deleted"):
        raw("DELETE FROM proposals_ballot WHERE proposal_id = %s", [voting.pk])
    assert rows(Ballot) == before


def test_the_running_tally_follows_the_ballots(people, refused):
    """Once got through (both databases, low). While voting is open the tally guard lets
    the counts take any value (`tally_visible_during_vote` shows them to
    everyone): 1,000 yes on a vote with one ballot is accepted. The close
    recounts the ballots, so the outcome is safe; the public running tally is
    not."""
    voting = voting_now(people["alice"])
    services.cast_vote(proposal_id=voting.pk, voter=people["carol"], choice="no")
    before = proposal_rows(voting)
    with refused("bylaw guard"):
        Proposal.objects.filter(pk=voting.pk).update(yes_count=1000, no_count=0)
    assert proposal_rows(voting) == before
