"""Red team: the decision process attacked through the application's own
connection — creating proposals and moving them through their states.

Each test reaches a legitimate state through the services, tries a forgery
as the application would (ORM, bulk operations, raw SQL), expects the
database to refuse it, and re-reads the rows to show nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db.models import F
from django.utils import timezone

from governance.errors import NotEnactable
from governance.selectors import current_parameters, current_version
from proposals import services
from proposals.models import (
    Ballot,
    ElectorateEntry,
    Proposal,
)
from tests.factories import make_member
from tests.guards.helpers import (
    DAY,
    MINUTE,
    db_time,
    lenient_rules,
    raw,
    rows,
    submitted_ago,
)
from tests.guards.proposals_helpers import (
    BALLOT,
    BALLOT_CHANGE,
    CLOSE,
    EARLY,
    EDGE,
    FROZEN,
    LEGAL_FORM,
    NOTICE,
    ROLL,
    ROLL_FROZEN,
    SUBMIT,
    TALLY,
    bylaws,
    forge_pass,
    proposal_rows,
)
from tests.proposals.helpers import draft, voting_now

# --- creating a proposal ------------------------------------------------------------------------


def _advanced_proposal(author, **fields):
    now = timezone.now()
    values = {
        "kind": "motion",
        "title": "Already decided",
        "body": "Nobody voted.",
        "author": author,
        "state": "passed",
        "decision_class": "ordinary",
        "rules": current_parameters().to_json(),
        "created_at": now,
        "submitted_at": now - 30 * DAY,
        "voting_opens_at": now - 20 * DAY,
        "voting_closes_at": now - 10 * DAY,
        "closed_at": now - 10 * DAY,
        "enactable_at": now - 3 * DAY,
        "yes_count": 99,
        "electorate_size": 100,
        "commitment": "0" * 64,
    }
    values.update(fields)
    return Proposal(**values)


@pytest.mark.parametrize("state", ["discussion", "voting", "passed", "enacted"])
def test_a_proposal_cannot_be_inserted_in_an_advanced_state(community, refused, state):
    with refused("a proposal is created as a draft, now"):
        _advanced_proposal(community["alice"], state=state).save()
    with refused("a proposal is created as a draft, now"):
        Proposal.objects.bulk_create([_advanced_proposal(community["alice"], state=state)])
    assert not Proposal.objects.exists()


def test_a_draft_cannot_be_inserted_with_a_vote_already_counted(community, refused):
    proposal = _advanced_proposal(
        community["alice"], state="draft", rules=None, submitted_at=None, closed_at=None
    )
    with refused("a proposal is created as a draft, now"):
        proposal.save()
    assert not Proposal.objects.exists()


def test_a_proposal_cannot_be_backdated_or_written_by_a_non_member(community, refused):
    applicant = make_member("ivy", status="applicant")
    old = timezone.now() - 60 * DAY
    with refused("a proposal is created as a draft, now"):
        Proposal.objects.create(
            kind="motion", title="Old", body="Backdated.", author=community["alice"], created_at=old
        )
    with refused("by a member in good standing"):
        Proposal.objects.create(
            kind="motion",
            title="Mine",
            body="Not a member.",
            author=applicant,
            created_at=timezone.now(),
        )
    with refused("a proposal is created as a draft, now"):
        raw(
            "INSERT INTO proposals_proposal (kind, title, body, author_id, state, decision_class, "
            "revision, created_at, yes_count, no_count, abstain_count, commitment) "
            "VALUES ('motion', 'Raw', 'Raw.', %s, 'voting', 'ordinary', 1, %s, 0, 0, 0, '')",
            [community["alice"].pk, db_time(timezone.now())],
        )
    assert not Proposal.objects.exists()


# --- the state machine ---------------------------------------------------------------------------


def test_the_four_call_legal_form_forgery_is_refused(people, refused):
    """draft amending legal-form → update(state="voting") → update(state="passed",
    enactable_at=yesterday) → enact_proposal: refused at the first write, and
    each later step is refused on its own too."""
    before = bylaws()
    proposal = draft(people["alice"], kind="amendment", amendments=[LEGAL_FORM])
    row = proposal_rows(proposal)
    yesterday = timezone.now() - DAY
    with refused(EDGE):
        Proposal.objects.filter(pk=proposal.pk).update(state="voting")
        Proposal.objects.filter(pk=proposal.pk).update(state="passed", enactable_at=yesterday)
        services.enact_proposal(proposal_id=proposal.pk)
    with refused(EDGE):
        Proposal.objects.filter(pk=proposal.pk).update(
            state="passed",
            enactable_at=yesterday,
            rules=current_parameters().to_json(),
            submitted_at=yesterday,
        )
    with pytest.raises(NotEnactable):
        services.enact_proposal(proposal_id=proposal.pk)
    assert proposal_rows(proposal) == row

    # From a vote legitimately open now, the jump to "passed" is refused too.
    voting = voting_now(people["bob"], kind="amendment", amendments=[LEGAL_FORM])
    assert voting.state == "voting"
    row = proposal_rows(voting)
    with refused(CLOSE):
        Proposal.objects.filter(pk=voting.pk).update(
            state="passed", closed_at=F("voting_closes_at"), enactable_at=yesterday
        )
    with pytest.raises(NotEnactable):
        services.enact_proposal(proposal_id=voting.pk)
    assert proposal_rows(voting) == row
    assert bylaws() == before
    assert current_version("legal-form").text != LEGAL_FORM["new_text"]


@pytest.mark.parametrize(
    "state", ["notice", "voting", "passed", "rejected", "failed_quorum", "enacted"]
)
def test_a_draft_cannot_skip_ahead(community, refused, state):
    proposal = draft(community["alice"])
    before = proposal_rows(proposal)
    now = timezone.now()
    with refused(EDGE):
        Proposal.objects.filter(pk=proposal.pk).update(
            state=state, rules=current_parameters().to_json(), submitted_at=now, enactable_at=now
        )
    with refused(EDGE):
        raw("UPDATE proposals_proposal SET state = %s WHERE id = %s", [state, proposal.pk])
    assert proposal_rows(proposal) == before


def _submission(rules=None, *, submitted_at=None, entrenched=False):
    p = current_parameters()
    rules = rules or p.to_json()
    start = submitted_at or timezone.now()
    discussion_ends = start + timedelta(days=rules["discussion_days"])
    notice_ends = discussion_ends + timedelta(days=rules["notice_days"]) if entrenched else None
    opens = notice_ends or discussion_ends
    return {
        "state": "discussion",
        "rules": rules,
        "submitted_at": start,
        "discussion_ends_at": discussion_ends,
        "notice_ends_at": notice_ends,
        "voting_opens_at": opens,
        "voting_closes_at": opens + timedelta(days=rules["voting_days"]),
    }


def test_a_submission_cannot_choose_its_rules_schedule_or_class(community, refused):
    motion = draft(community["alice"])
    amendment = draft(community["alice"], kind="amendment", amendments=[LEGAL_FORM])
    before = rows(Proposal)
    with refused(SUBMIT):  # lenient rules of its own
        Proposal.objects.filter(pk=motion.pk).update(**_submission(lenient_rules()))
    with refused(SUBMIT):  # submitted a month ago, so discussion is already over
        Proposal.objects.filter(pk=motion.pk).update(
            **_submission(submitted_at=timezone.now() - 30 * DAY)
        )
    with refused(SUBMIT):  # a shorter discussion than the rules give
        Proposal.objects.filter(pk=motion.pk).update(
            **{**_submission(), "discussion_ends_at": timezone.now() + MINUTE}
        )
    with refused(SUBMIT):  # legal form as an ordinary decision, without notice
        Proposal.objects.filter(pk=amendment.pk).update(**_submission(), decision_class="ordinary")
    with refused(f"{SUBMIT}|{TALLY}"):  # a tally already at submission
        Proposal.objects.filter(pk=motion.pk).update(**_submission(), yes_count=5)
    assert rows(Proposal) == before
    # The legitimate submission goes through.
    services.submit_proposal(proposal_id=amendment.pk, actor=community["alice"])
    amendment.refresh_from_db()
    assert (amendment.state, amendment.decision_class) == ("discussion", "entrenched")


def test_a_discussion_cannot_be_cut_short(community, refused):
    proposal = submitted_ago(draft(community["alice"]), MINUTE)
    before = proposal_rows(proposal)
    with refused(EARLY):
        Proposal.objects.filter(pk=proposal.pk).update(state="voting")
    with refused(FROZEN):
        Proposal.objects.filter(pk=proposal.pk).update(
            discussion_ends_at=timezone.now(), voting_opens_at=timezone.now()
        )
    assert proposal_rows(proposal) == before


def test_a_legal_structure_change_cannot_skip_its_notice(people, refused):
    proposal = draft(people["alice"], kind="amendment", amendments=[LEGAL_FORM])
    with time_machine.travel(timezone.now() - 8 * DAY, tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=people["alice"])
    proposal.refresh_from_db()
    assert proposal.state == "discussion" and proposal.discussion_ends_at < timezone.now()
    before = proposal_rows(proposal)
    with refused(NOTICE):
        Proposal.objects.filter(pk=proposal.pk).update(state="voting")
    with refused(FROZEN):  # nor can the notice period be shortened
        Proposal.objects.filter(pk=proposal.pk).update(notice_ends_at=timezone.now())
    assert proposal_rows(proposal) == before
    services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.state == "notice"
    with refused(EARLY):
        Proposal.objects.filter(pk=proposal.pk).update(state="voting")


def test_an_ordinary_decision_does_not_go_through_notice(community, refused):
    proposal = submitted_ago(draft(community["alice"]), MINUTE)
    with time_machine.travel(proposal.discussion_ends_at + MINUTE, tick=False), refused(NOTICE):
        Proposal.objects.filter(pk=proposal.pk).update(state="notice")
    assert Proposal.objects.get(pk=proposal.pk).state == "discussion"


@pytest.fixture
def discussion_over(people):
    """A motion whose discussion ended a day ago; voting not yet opened."""
    proposal = draft(people["alice"])
    with time_machine.travel(timezone.now() - 8 * DAY, tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=people["alice"])
    proposal.refresh_from_db()
    assert proposal.state == "discussion"
    return proposal


def test_voting_cannot_open_on_a_hand_picked_roll(people, discussion_over, refused):
    proposal = discussion_over
    newcomer = make_member("newcomer", admitted_days_ago=1)
    before = proposal_rows(proposal)
    with refused(ROLL):  # only the friends of the motion
        ElectorateEntry.objects.bulk_create(
            ElectorateEntry(proposal=proposal, member=people[n]) for n in ("alice", "bob")
        )
        Proposal.objects.filter(pk=proposal.pk).update(
            state="voting", electorate_size=2, commitment="0" * 64
        )
    with refused(ROLL):  # a member admitted yesterday
        ElectorateEntry.objects.create(proposal=proposal, member=newcomer)
    with refused(ROLL):  # nobody at all
        Proposal.objects.filter(pk=proposal.pk).update(
            state="voting", electorate_size=0, commitment="0" * 64
        )
    assert proposal_rows(proposal) == before
    assert not ElectorateEntry.objects.filter(proposal=proposal).exists()
    services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.electorate_size) == ("voting", len(people))


def test_a_closed_vote_cannot_be_turned_into_a_pass(lost_vote, refused):
    proposal = lost_vote
    before, ballots = proposal_rows(proposal), rows(Ballot, proposal=proposal)
    with refused(CLOSE):
        forge_pass(proposal)
    with refused(CLOSE):  # with the counts swapped to match
        forge_pass(proposal, yes_count=5, no_count=2)
    with refused(CLOSE):  # with the no votes counted as abstentions
        forge_pass(proposal, no_count=0, abstain_count=5)
    with refused(BALLOT_CHANGE):  # turn the ballots now that the window is over
        Ballot.objects.filter(proposal=proposal).update(choice="yes", changed_at=timezone.now())
    with refused(f"{BALLOT}|{BALLOT_CHANGE}"):  # an upsert of every ballot to yes
        Ballot.objects.bulk_create(
            [
                Ballot(
                    proposal=proposal,
                    voter_id=b["voter_id"],
                    choice="yes",
                    cast_at=b["cast_at"],
                    changed_at=timezone.now(),
                    receipt_hash=b["receipt_hash"],
                )
                for b in ballots
            ],
            update_conflicts=True,
            unique_fields=["proposal", "voter"],
            update_fields=["choice", "changed_at"],
        )
    with refused(CLOSE):  # a close dated before the window ended
        Proposal.objects.filter(pk=proposal.pk).update(
            state="rejected", closed_at=proposal.voting_closes_at - DAY
        )
    assert proposal_rows(proposal) == before
    assert rows(Ballot, proposal=proposal) == ballots

    services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.yes_count, proposal.no_count) == ("rejected", 2, 5)
    before = proposal_rows(proposal)
    with refused(EDGE):
        Proposal.objects.filter(pk=proposal.pk).update(
            state="passed", enactable_at=timezone.now() - DAY
        )
    with refused(TALLY):
        Proposal.objects.filter(pk=proposal.pk).update(yes_count=5, no_count=2)
    with refused(TALLY):
        raw(
            "UPDATE proposals_proposal SET yes_count = 7, no_count = 0 WHERE id = %s", [proposal.pk]
        )
    assert proposal_rows(proposal) == before


def test_a_vote_cannot_be_closed_before_its_window_ends(people, refused):
    proposal = voting_now(people["alice"])
    services.cast_vote(proposal_id=proposal.pk, voter=people["alice"], choice="yes")
    before = proposal_rows(proposal)
    for outcome in ("passed", "rejected", "failed_quorum"):
        with refused(CLOSE):
            Proposal.objects.filter(pk=proposal.pk).update(
                state=outcome,
                closed_at=F("voting_closes_at"),
                enactable_at=F("voting_closes_at") + timedelta(days=7)
                if outcome == "passed"
                else None,
            )
    assert proposal_rows(proposal) == before


def test_a_vote_cannot_go_back_to_draft_to_change_its_frozen_rules(people, refused):
    proposal = voting_now(people["alice"], kind="amendment", amendments=[LEGAL_FORM])
    before = proposal_rows(proposal)
    with refused(EDGE):  # voting → draft, change the frozen rules, reopen
        Proposal.objects.filter(pk=proposal.pk).update(state="draft")
        Proposal.objects.filter(pk=proposal.pk).update(rules=lenient_rules())
        Proposal.objects.filter(pk=proposal.pk).update(state="voting")
    with refused(FROZEN):  # or change them in place
        Proposal.objects.filter(pk=proposal.pk).update(rules=lenient_rules())
    with refused(FROZEN):
        Proposal.objects.filter(pk=proposal.pk).update(decision_class="ordinary")
    with refused(FROZEN):  # or keep the polls open a month longer
        Proposal.objects.filter(pk=proposal.pk).update(
            voting_closes_at=F("voting_closes_at") + timedelta(days=30)
        )
    proposal.rules = lenient_rules()
    with refused(FROZEN):
        proposal.save()
    with refused(FROZEN):
        Proposal.objects.bulk_update([proposal], ["rules"])
    assert proposal_rows(proposal) == before


def test_the_roll_cannot_be_packed_by_flipping_back_to_discussion(people, refused):
    proposal = voting_now(people["alice"])
    packers = [make_member(f"packer{i}") for i in range(20)]
    before, roll = proposal_rows(proposal), rows(ElectorateEntry, proposal=proposal)
    with refused(EDGE):  # flip to discussion, add 20 people to the roll, flip back
        Proposal.objects.filter(pk=proposal.pk).update(state="discussion")
        ElectorateEntry.objects.bulk_create(
            ElectorateEntry(proposal=proposal, member=m) for m in packers
        )
        Proposal.objects.filter(pk=proposal.pk).update(state="voting")
    with refused(ROLL):  # or add them while voting is open
        ElectorateEntry.objects.bulk_create(
            ElectorateEntry(proposal=proposal, member=m) for m in packers
        )
    with refused(ROLL):
        raw(
            "INSERT INTO proposals_electorateentry (proposal_id, member_id) VALUES (%s, %s)",
            [proposal.pk, packers[0].pk],
        )
    assert proposal_rows(proposal) == before
    assert rows(ElectorateEntry, proposal=proposal) == roll


def test_the_roll_is_frozen_once_voting_opens(people, refused):
    proposal = voting_now(people["alice"])
    outsider = make_member("outsider")
    roll = rows(ElectorateEntry, proposal=proposal)
    entry = ElectorateEntry.objects.filter(proposal=proposal, member=people["gus"]).get()
    with refused(ROLL_FROZEN):
        entry.delete()
    with refused(ROLL_FROZEN):
        ElectorateEntry.objects.filter(pk=entry.pk).update(member=outsider)
    with refused(ROLL_FROZEN):
        raw("DELETE FROM proposals_electorateentry WHERE proposal_id = %s", [proposal.pk])
    assert rows(ElectorateEntry, proposal=proposal) == roll
