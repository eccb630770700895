"""Red team: the decision process (proposals, contents, revisions, co-authors,
rolls, ballots, tallies) attacked through the application's own connection.

Each test reaches a legitimate state through the services, tries a forgery
as the application would (ORM, bulk operations, raw SQL), expects the
database to refuse it, and re-reads the rows to show nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import F
from django.utils import timezone

from governance.errors import NotEnactable
from governance.models import BylawVersion
from governance.selectors import current_parameters, current_version
from proposals import services
from proposals.models import (
    Amendment,
    Appointment,
    Ballot,
    BudgetItem,
    ElectorateEntry,
    Proposal,
    ProposalRevision,
    ProposalUserObjectPermission,
)
from tests.factories import make_member
from tests.guards.helpers import (
    DAY,
    MINUTE,
    announce,
    db_time,
    held,
    lenient_rules,
    raw,
    rows,
    submitted_ago,
)
from tests.proposals.helpers import draft, voting_now
from treasury.models import BudgetLine, Fund

EDGE = "moves only along the steps of the decision process"
SUBMIT = "is submitted now, under the decision rules in force"
EARLY = "a phase ends only when its time is over"
NOTICE = "legal-structure changes, and only they, go through notice"
ROLL = "voting opens with a roll of exactly the members eligible then"
ROLL_FROZEN = "an electorate roll is frozen once voting opens"
CLOSE = "a vote closes after its window, with counts equal to the ballots"
ENACT = "is enacted after its timelock, now, with every change it contains written"
DATES = "each date of a proposal is written only by its own step"
FROZEN = "the rules and schedule of a submitted proposal are frozen"
FROZEN_TEXT = "the text is frozen once discussion is over"
TALLY = "a decided tally is final"
CONTENTS = "the contents of a proposal are frozen once discussion is over"
REVISION = "revisions are kept in order and never changed"
COAUTHOR = "co-authors are members in good standing invited while the text can change"
BALLOT = "ballots are cast only while voting is open, by the electorate in good standing, now"
BALLOT_CHANGE = (
    "a ballot changes only its choice, while voting is open, by its voter in good standing, now"
)

LEGAL_FORM = {
    "article_slug": "legal-form",
    "new_title": "Legal form",
    "new_class": "entrenched",
    "new_text": "The association is a company with shareholders.",
}
MODERATION = {
    "article_slug": "moderation",
    "new_title": "Moderation",
    "new_class": "ordinary",
    "new_text": "Stewards hide messages with a public reason, reviewed by another steward.",
}


@pytest.fixture
def people(community):
    """Seven members of a year's standing: the community and eve, finn, gus."""
    extra = {name: make_member(name) for name in ("eve", "finn", "gus")}
    return {**community, **extra}


def proposal_rows(proposal):
    return rows(Proposal, pk=proposal.pk)


def bylaws():
    return rows(BylawVersion)


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


@pytest.fixture
def lost_vote(people):
    """A motion voted 2 yes / 5 no; its window closed an hour ago and the close
    has not been applied yet."""
    proposal = held(
        draft(people["alice"], title="Give the founder a salary"),
        yes=[people["alice"], people["bob"]],
        no=[people[n] for n in ("carol", "ada", "eve", "finn", "gus")],
        closed_ago=timedelta(hours=1),
        close=False,
    )
    assert proposal.state == "voting" and proposal.voting_closes_at < timezone.now()
    return proposal


def _pass(proposal, **fields):
    timelock = timedelta(days=proposal.rules["timelock_days"])
    return Proposal.objects.filter(pk=proposal.pk).update(
        state="passed",
        closed_at=proposal.voting_closes_at,
        enactable_at=proposal.voting_closes_at + timelock,
        **fields,
    )


def test_a_closed_vote_cannot_be_turned_into_a_pass(lost_vote, refused):
    proposal = lost_vote
    before, ballots = proposal_rows(proposal), rows(Ballot, proposal=proposal)
    with refused(CLOSE):
        _pass(proposal)
    with refused(CLOSE):  # with the counts swapped to match
        _pass(proposal, yes_count=5, no_count=2)
    with refused(CLOSE):  # with the no votes counted as abstentions
        _pass(proposal, no_count=0, abstain_count=5)
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
        _pass(proposal, electorate_size=1)
    with refused(DATES):
        Proposal.objects.filter(pk=proposal.pk).update(electorate_size=1)
    assert proposal_rows(proposal) == before
    services.advance_proposal(proposal_id=proposal.pk)
    assert Proposal.objects.get(pk=proposal.pk).state == "failed_quorum"
    with refused(DATES):  # lowering electorate_size after the close
        Proposal.objects.filter(pk=proposal.pk).update(electorate_size=1)
    with refused(EDGE):
        _pass(proposal)
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


# --- what a decision contains --------------------------------------------------------------------


def test_an_amendment_cannot_be_edited_during_notice(people, refused):
    proposal = draft(people["alice"], kind="amendment", amendments=[LEGAL_FORM])
    proposal = submitted_ago(proposal, 8 * DAY)
    assert proposal.state == "notice"
    amendment = proposal.amendments.get()
    before, contents = proposal_rows(proposal), rows(Amendment, proposal=proposal)
    with refused(CONTENTS):
        Amendment.objects.filter(pk=amendment.pk).update(new_text="A company owned by the founder.")
    amendment.new_text = "A company owned by the founder."
    with refused(CONTENTS):
        amendment.save()
    with refused(CONTENTS):
        Amendment.objects.bulk_update([amendment], ["new_text"])
    with refused(CONTENTS):
        raw("UPDATE proposals_amendment SET new_text = 'x' WHERE id = %s", [amendment.pk])
    with refused(CONTENTS):
        Amendment.objects.filter(pk=amendment.pk).delete()
    with refused(CONTENTS):
        Amendment.objects.create(proposal=proposal, **{**MODERATION, "new_text": "Slipped in."})
    with refused(FROZEN_TEXT):
        Proposal.objects.filter(pk=proposal.pk).update(body="Another explanation.")
    assert proposal_rows(proposal) == before
    assert rows(Amendment, proposal=proposal) == contents


def test_an_amendment_cannot_be_edited_between_the_vote_and_its_enactment(people, refused):
    proposal = held(
        draft(people["alice"], kind="amendment", amendments=[MODERATION]),
        yes=list(people.values()),
        closed_ago=DAY,
    )
    assert proposal.state == "passed"
    amendment = proposal.amendments.get()
    other = draft(
        people["bob"], kind="amendment", amendments=[{**MODERATION, "new_text": "Other."}]
    )
    contents = rows(Amendment)
    with refused(CONTENTS):
        Amendment.objects.filter(pk=amendment.pk).update(new_text="Stewards delete at will.")
    with refused(CONTENTS):  # move the draft's amendment onto the passed proposal
        Amendment.objects.filter(proposal=other).update(proposal=proposal)
    with refused(CONTENTS):
        Amendment.objects.filter(pk=amendment.pk).update(proposal=other)
    assert rows(Amendment) == contents
    with time_machine.travel(proposal.enactable_at + MINUTE, tick=False):
        services.enact_proposal(proposal_id=proposal.pk)
    assert current_version("moderation").text == MODERATION["new_text"]


@pytest.fixture
def voted_budget(people):
    """A budget of one line, 300.00, passed ten days ago; not yet enacted."""
    proposal = held(
        draft(
            people["alice"],
            kind="budget",
            title="Chairs",
            budget_items=[{"purpose": "Chairs", "amount_cents": 30_000, "fund": "general"}],
        ),
        yes=list(people.values()),
    )
    assert proposal.state == "passed" and proposal.enactable_at < timezone.now()
    return proposal


def test_a_budget_voted_at_300_cannot_become_50000(voted_budget, refused):
    proposal = voted_budget
    item = proposal.budget_items.get()
    items = rows(BudgetItem, proposal=proposal)
    with refused(CONTENTS):
        BudgetItem.objects.filter(pk=item.pk).update(amount_cents=5_000_000)
    with refused(CONTENTS):
        BudgetItem.objects.create(proposal=proposal, purpose="Chairs, more", amount_cents=4_970_000)
    with refused("budget lines are opened only by enacting a passed budget proposal, exactly"):
        BudgetLine.objects.create(
            proposal=proposal,
            budget_item=item,
            purpose="Chairs",
            fund=Fund.objects.get(slug="general"),
            amount_cents=5_000_000,
            opened_at=timezone.now(),
        )
    assert rows(BudgetItem, proposal=proposal) == items
    assert not BudgetLine.objects.exists()
    services.enact_proposal(proposal_id=proposal.pk)
    assert list(BudgetLine.objects.values_list("amount_cents", flat=True)) == [30_000]
    with refused("budget lines are opened only by enacting a passed budget proposal"):
        BudgetLine.objects.create(
            proposal=proposal,
            budget_item=item,
            purpose="Chairs",
            fund=Fund.objects.get(slug="general"),
            amount_cents=30_000,
            opened_at=timezone.now(),
        )


def test_the_appointee_cannot_be_swapped_after_the_vote(people, refused):
    from members.models import RoleAssignment

    proposal = held(
        draft(
            people["eve"],
            kind="appointment",
            appointments=[{"member": "eve", "role": "auditor", "action": "grant"}],
        ),
        yes=list(people.values()),
    )
    assert proposal.state == "passed" and proposal.enactable_at < timezone.now()
    appointment = proposal.appointments.get()
    contents, roles = rows(Appointment), rows(RoleAssignment)
    with refused(CONTENTS):
        Appointment.objects.filter(pk=appointment.pk).update(member=people["alice"])
    with refused(CONTENTS):
        Appointment.objects.filter(pk=appointment.pk).update(role="treasurer")
    with refused(CONTENTS):
        Appointment.objects.create(
            proposal=proposal, member=people["alice"], role="treasurer", action="grant"
        )
    with refused("a role is granted only by the enacted appointment it names"):
        announce("role.appointed", member="alice", role="auditor", proposal=proposal.pk)
        RoleAssignment.objects.create(
            member=people["alice"],
            role="auditor",
            granted_at=timezone.now(),
            granted_by_proposal=proposal,
            grant_reason="appointed by proposal",
        )
    assert rows(Appointment) == contents
    assert rows(RoleAssignment) == roles
    services.enact_proposal(proposal_id=proposal.pk)
    holders = RoleAssignment.objects.filter(role="auditor", revoked_at__isnull=True)
    assert sorted(holders.values_list("member__username", flat=True)) == ["ada", "eve"]


def test_a_passed_decision_cannot_trade_places_with_a_draft(voted_budget, refused):
    """Once got through (both databases). The proposal guard runs only on UPDATEs that name
    one of its columns (`UPDATE OF …`), and `id` is not among them: three
    `UPDATE proposals_proposal SET id = …` swap the passed budget's row with a
    draft's, so the draft's 50,000.00 line now hangs off a passed, enactable
    row, and the budget line trigger (which reads state, kind and item by
    proposal id) opens it. Deferred foreign keys are consistent at commit."""
    from treasury.services import open_budget_lines_for

    passed = voted_budget
    forged = draft(
        passed.author,
        kind="budget",
        title="Chairs",
        budget_items=[{"purpose": "Chairs", "amount_cents": 5_000_000, "fund": "general"}],
    )
    before = rows(Proposal)
    spare = Proposal.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with refused("a guarded row's key never changes"):
        for old, new in ((passed.pk, spare), (forged.pk, passed.pk), (spare, forged.pk)):
            raw("UPDATE proposals_proposal SET id = %s WHERE id = %s", [new, old])
        open_budget_lines_for(proposal=Proposal.objects.get(pk=forged.pk))
        connection.check_constraints()  # what a COMMIT would check
    assert rows(Proposal) == before
    assert not BudgetLine.objects.exists()


# --- revisions and co-authors --------------------------------------------------------------------


def test_revisions_are_kept_in_order_and_never_changed(people, refused):
    proposal = submitted_ago(draft(people["alice"]), MINUTE)
    services.update_proposal(
        proposal_id=proposal.pk, actor=people["alice"], title="A proposal", body="Second text."
    )
    first = proposal.revisions.get(number=1)
    history = rows(ProposalRevision, proposal=proposal)
    with refused(REVISION):
        ProposalRevision.objects.filter(pk=first.pk).update(body="What I always said.")
    with refused(REVISION):
        first.delete()
    with refused(REVISION):
        ProposalRevision.objects.create(
            proposal=proposal,
            number=7,
            title="Skipped",
            body="Out of order.",
            edited_by=people["alice"],
            created_at=timezone.now(),
        )
    assert rows(ProposalRevision, proposal=proposal) == history

    voting = voting_now(people["bob"])
    with refused(REVISION):
        ProposalRevision.objects.create(
            proposal=voting,
            number=2,
            title="After the freeze",
            body="Too late.",
            edited_by=people["bob"],
            created_at=timezone.now(),
        )


def test_the_text_under_discussion_changes_only_with_a_revision(people, refused):
    """Once got through (both databases, low). After submission the text is public and
    every edit is meant to be kept as a revision (and journaled); the guard
    only freezes the text after discussion, so the text in discussion can be
    replaced silently, without a revision or a journal entry."""
    proposal = submitted_ago(draft(people["alice"]), MINUTE)
    before = proposal_rows(proposal)
    with refused("bylaw guard"):
        Proposal.objects.filter(pk=proposal.pk).update(
            body="A different proposal altogether.", revision=F("revision") + 1
        )
    assert proposal_rows(proposal) == before


def _change_permission():
    return Permission.objects.get(content_type__app_label="proposals", codename="change_proposal")


def test_co_authors_are_members_invited_while_the_text_can_change(people, refused):
    applicant = make_member("ivy", status="applicant")
    discussed = submitted_ago(draft(people["alice"]), MINUTE)
    voting = voting_now(people["alice"])
    perms = rows(ProposalUserObjectPermission)
    with refused(COAUTHOR):  # once voting is open
        ProposalUserObjectPermission.objects.create(
            content_object=voting, user=people["bob"], permission=_change_permission()
        )
    with refused(COAUTHOR):  # someone not in good standing
        ProposalUserObjectPermission.objects.create(
            content_object=discussed, user=applicant, permission=_change_permission()
        )
    with refused(COAUTHOR):  # another permission than co-authoring
        ProposalUserObjectPermission.objects.create(
            content_object=discussed,
            user=people["bob"],
            permission=Permission.objects.get(codename="delete_proposal"),
        )
    assert rows(ProposalUserObjectPermission) == perms

    services.invite_coauthor(
        proposal_id=discussed.pk, actor=people["alice"], coauthor=people["bob"]
    )
    perms = rows(ProposalUserObjectPermission)
    with refused(COAUTHOR):
        ProposalUserObjectPermission.objects.filter(content_object=discussed).update(
            user=people["carol"]
        )
    with refused(COAUTHOR):
        ProposalUserObjectPermission.objects.filter(content_object=discussed).delete()
    assert rows(ProposalUserObjectPermission) == perms


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
