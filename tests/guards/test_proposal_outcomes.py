"""Red team: closing, the timelock, enactment and decided proposals,
attacked through the application's own connection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from governance.errors import NotEnactable
from governance.selectors import current_version
from proposals import services
from proposals.models import (
    Proposal,
)
from tests.factories import make_member
from tests.guards.helpers import (
    DAY,
    MINUTE,
    held,
    lenient_rules,
    raw,
    rows,
    submitted_ago,
)
from tests.guards.proposals_helpers import (
    DATES,
    EDGE,
    ENACT,
    FROZEN,
    FROZEN_TEXT,
    MODERATION,
    forge_pass,
    proposal_rows,
)
from tests.proposals.helpers import draft, voting_now

# --- creating a proposal ------------------------------------------------------------------------


@pytest.fixture
def crowd(people):
    """Twelve members: quorum (1/10) needs two ballots."""
    return {**people, **{n: make_member(n) for n in ("hal", "ines", "jo", "kim", "lea")}}


def test_a_failed_quorum_cannot_pass_by_shrinking_the_electorate(crowd, refused):
    proposal = held(
        draft(crowd["alice"]), yes=[crowd["alice"]], closed_ago=timedelta(hours=1), close=False
    )
    assert proposal.electorate_size == 12
    before = proposal_rows(proposal)
    with refused(DATES):
        forge_pass(proposal, electorate_size=1)
    with refused(DATES):
        Proposal.objects.filter(pk=proposal.pk).update(electorate_size=1)
    assert proposal_rows(proposal) == before
    services.advance_proposal(proposal_id=proposal.pk)
    assert Proposal.objects.get(pk=proposal.pk).state == "failed_quorum"
    with refused(DATES):  # lowering electorate_size after the close
        Proposal.objects.filter(pk=proposal.pk).update(electorate_size=1)
    with refused(EDGE):
        forge_pass(proposal)
    assert Proposal.objects.get(pk=proposal.pk).state == "failed_quorum"


@pytest.fixture
def in_timelock(people):
    """A motion passed yesterday: its timelock runs six more days."""
    proposal = held(draft(people["alice"]), yes=list(people.values()), closed_ago=DAY)
    assert proposal.state == "passed" and proposal.enactable_at > timezone.now()
    return proposal


def test_the_timelock_cannot_be_shortened_or_skipped(in_timelock, refused):
    proposal = in_timelock
    before = proposal_rows(proposal)
    with refused(DATES):
        Proposal.objects.filter(pk=proposal.pk).update(enactable_at=timezone.now() - DAY)
    with refused(ENACT):
        Proposal.objects.filter(pk=proposal.pk).update(state="enacted", enacted_at=timezone.now())
    with refused(DATES):  # nor the close moved back a week
        Proposal.objects.filter(pk=proposal.pk).update(closed_at=F("closed_at") - timedelta(days=7))
    with pytest.raises(NotEnactable):
        services.enact_proposal(proposal_id=proposal.pk)
    assert proposal_rows(proposal) == before


def test_a_proposal_is_enacted_only_with_every_change_it_contains(people, refused):
    proposal = held(
        draft(people["alice"], kind="amendment", amendments=[MODERATION]),
        yes=list(people.values()),
    )
    assert proposal.state == "passed" and proposal.enactable_at < timezone.now()
    before = proposal_rows(proposal)
    with refused(ENACT):  # marked enacted, the article never written
        Proposal.objects.filter(pk=proposal.pk).update(state="enacted", enacted_at=timezone.now())
    with refused(ENACT):  # enacted "last week"
        Proposal.objects.filter(pk=proposal.pk).update(
            state="enacted", enacted_at=timezone.now() - 7 * DAY
        )
    assert proposal_rows(proposal) == before
    services.enact_proposal(proposal_id=proposal.pk)
    assert current_version("moderation").text == MODERATION["new_text"]


def test_a_decided_proposal_never_changes(lost_vote, refused):
    services.advance_proposal(proposal_id=lost_vote.pk)
    proposal = Proposal.objects.get(pk=lost_vote.pk)
    assert proposal.state == "rejected"
    before = proposal_rows(proposal)
    with refused(FROZEN_TEXT):
        Proposal.objects.filter(pk=proposal.pk).update(title="Something nobody would oppose")
    with refused(DATES):
        Proposal.objects.filter(pk=proposal.pk).update(commitment="f" * 64)
    with refused(DATES):
        Proposal.objects.filter(pk=proposal.pk).update(closed_at=timezone.now())
    with refused(FROZEN):
        Proposal.objects.filter(pk=proposal.pk).update(rules=lenient_rules())
    proposal.body = "Rewritten after the vote."
    with refused(FROZEN_TEXT):
        proposal.save()
    with refused(FROZEN_TEXT):
        Proposal.objects.bulk_update([proposal], ["body"])
    assert proposal_rows(proposal) == before


def test_kind_author_and_creation_date_never_change(community, refused):
    proposal = draft(community["alice"])
    before = proposal_rows(proposal)
    for change in (
        {"kind": "budget"},
        {"author": community["bob"]},
        {"created_at": timezone.now() - 400 * DAY},
    ):
        with refused("a proposal's kind, author and creation date never change"):
            Proposal.objects.filter(pk=proposal.pk).update(**change)
    assert proposal_rows(proposal) == before


def test_a_submitted_proposal_cannot_be_deleted(in_timelock, refused):
    discussed = submitted_ago(draft(in_timelock.author), MINUTE)
    before = rows(Proposal)
    with refused("a submitted proposal cannot be deleted"):
        raw("DELETE FROM proposals_proposal WHERE id = %s", [in_timelock.pk])
    with refused("a submitted proposal cannot be deleted"):
        raw("DELETE FROM proposals_proposal WHERE id = %s", [discussed.pk])
    with refused("a submitted proposal cannot be deleted"):  # the ORM's fast delete
        Proposal.objects.filter(pk=discussed.pk)._raw_delete(connection.alias)
    assert rows(Proposal) == before


def test_a_vote_cannot_be_withdrawn_and_withdrawal_is_not_backdated(people, refused):
    voting = voting_now(people["alice"])
    discussed = submitted_ago(draft(people["bob"]), MINUTE)
    before = rows(Proposal)
    with refused(EDGE):
        Proposal.objects.filter(pk=voting.pk).update(state="withdrawn", withdrawn_at=timezone.now())
    with refused("a proposal is withdrawn now, before voting opens"):
        Proposal.objects.filter(pk=discussed.pk).update(
            state="withdrawn", withdrawn_at=timezone.now() - 30 * DAY
        )
    assert rows(Proposal) == before
