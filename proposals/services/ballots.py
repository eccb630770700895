"""Casting ballots: one member, one ballot, receipts, and the running tally.

The hottest path of the application (docs/BENCHMARKS.md): a cast reads what
it needs in one query and writes with compare-and-set, so casts by different
members never wait for each other."""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import dates
from kernel.errors import NotFound
from members.models import Member, Membership
from proposals import broadcasts
from proposals.errors import (
    BallotConflict,
    InvalidChoice,
    NotEligible,
    VotingClosed,
    VotingNotOpen,
)
from proposals.models import (
    Ballot,
    Choice,
    ElectorateEntry,
    Proposal,
    State,
)
from proposals.phases import is_due, phase_of
from proposals.services.lifecycle import advance_proposal


def receipt_code(*, proposal_id: int, voter_id: int) -> str:
    """A voter's receipt: derivable only with the server's secret, so it can be
    shown again to the voter, while the public sees only its sha256."""
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"ballot-receipt:{proposal_id}:{voter_id}".encode(), "sha256"
    ).hexdigest()[:20]
    return "-".join(mac[i : i + 4] for i in range(0, 20, 4)).upper()


def receipt_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def ineligibility_reason(*, proposal: Proposal, person) -> str | None:
    """Why this person may not vote on this proposal, in words a member
    understands: not on the roll, or no longer in good standing."""
    if person is None or not getattr(person, "is_authenticated", False):
        return _("Log in to vote.")
    if ElectorateEntry.objects.filter(
        proposal=proposal, member=person, member__membership__status=Membership.Status.MEMBER
    ).exists():
        return None
    membership = Membership.objects.filter(member=person).first()
    if membership is None or membership.status != Membership.Status.MEMBER:
        return _("Only members in good standing can vote.")
    if membership.admitted_at and membership.admitted_at > proposal.voting_opens_at:
        return _("You were admitted after voting opened, so you are not on this vote's roll.")
    return _(
        "You had not been a member for %(days)s days when voting opened, so you are not on "
        "this vote's roll."
    ) % {"days": proposal.rules["min_tenure_days"]}


@dataclass(frozen=True)
class CastResult:
    choice: str
    receipt: str
    changed: bool

    @property
    def choice_label(self) -> str:
        return Choice(self.choice).label


def cast_vote(*, proposal_id: int, voter: Member, choice: str) -> CastResult:
    """One member, one ballot: the last ballot before the close counts.

    Casts by different members do not wait for each other. A change of ballot
    is a compare-and-set on the voter's own row (``choice`` still the one just
    read; if not, the cast waits for that row and decides on what it holds),
    and every cast moves the tally with one conditional update of the
    proposal row (``state = voting and before the close``), just before its
    commit. So concurrent casts by one member leave one ballot, every counted
    ballot moves the tally by exactly one, and a ballot racing the close is
    either in the count or refused, never half-written."""
    if choice not in Choice.values:
        raise InvalidChoice(_("Choose yes, no or abstain."))
    proposal = _proposal_for_ballot(proposal_id, voter=voter)
    if is_due(proposal, timezone.now()):
        # Voting opens or closes right now: apply that first, then answer.
        advance_proposal(proposal_id=proposal.pk)
        proposal = _proposal_for_ballot(proposal_id, voter=voter)
    for _attempt in range(5):
        try:
            return _cast(proposal, voter=voter, choice=choice)
        except (_BallotRace, IntegrityError):
            # Another cast by this member was written meanwhile, or the vote
            # closed: read again and decide again.
            proposal = _proposal_for_ballot(proposal_id, voter=voter)
    raise BallotConflict(_("Your ballot could not be recorded; please try again."))


class _BallotRace(Exception):
    pass


_TALLY_COLUMNS = {Choice.YES: "yes_count", Choice.NO: "no_count", Choice.ABSTAIN: "abstain_count"}


# What a cast reads of the proposal, with the voter's current ballot, in one
# query. Every other field is deferred (loaded only if a rare path needs it).
_BALLOT_READ_FIELDS = (
    "id",
    "state",
    "rules",
    "discussion_ends_at",
    "notice_ends_at",
    "voting_opens_at",
    "voting_closes_at",
    "enactable_at",
)


_LARGEST_ID = 2**63 - 1  # beyond it, the databases refuse the number instead of finding nothing


@functools.cache
def _ballot_read_sql() -> str:
    proposal, ballot, membership = Proposal._meta, Ballot._meta, Membership._meta
    columns = ", ".join(f"p.{proposal.get_field(name).column}" for name in _BALLOT_READ_FIELDS)
    return (
        f"SELECT {columns}, b.{ballot.pk.column} AS voter_ballot_id, "
        f"b.{ballot.get_field('choice').column} AS voter_choice, "
        f"m.{membership.get_field('status').column} AS voter_standing "
        f"FROM {proposal.db_table} p LEFT JOIN {ballot.db_table} b "
        f"ON b.{ballot.get_field('proposal').column} = p.{proposal.pk.column} "
        f"AND b.{ballot.get_field('voter').column} = %s "
        f"LEFT JOIN {membership.db_table} m ON m.{membership.get_field('member').column} = %s "
        f"WHERE p.{proposal.pk.column} = %s"
    )


def _proposal_for_ballot(proposal_id, *, voter: Member) -> Proposal:
    """The proposal as a cast needs it, with ``voter_ballot_id`` and
    ``voter_choice`` (None before the voter's first ballot). Read without a
    lock: the writes of ``_cast`` check that what was read still holds.

    (A raw query: it runs for every ballot, and building the join through the
    ORM was a measurable part of a cast; docs/BENCHMARKS.md.)"""
    try:
        key = int(proposal_id)
    except (ValueError, TypeError):
        key = 0
    found = None
    if 0 < key <= _LARGEST_ID:
        voter_id = getattr(voter, "pk", None)  # nobody logged in: no ballot, told why later
        found = next(
            iter(Proposal.objects.raw(_ballot_read_sql(), [voter_id, voter_id, key])), None
        )
    if found is None:
        raise NotFound(_("There is no proposal #%(id)s.") % {"id": proposal_id})
    return found


def _change_choice(ballot_id: int, *, previous: str, choice: str, now: datetime) -> bool:
    """Compare-and-set: False if the ballot no longer says ``previous``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Ballot._meta.db_table} SET choice = %s, changed_at = %s "
            "WHERE id = %s AND choice = %s",
            [choice, connection.ops.adapt_datetimefield_value(now), ballot_id, previous],
        )
        return cursor.rowcount == 1


def _replace_choice(ballot_id: int, *, read: str, choice: str, now: datetime) -> str:
    """Set the ballot to ``choice``; returns the choice it replaced.

    Usually the ballot still holds what the cast read, and one compare-and-set
    does it. If another cast by this member changed it meanwhile, optimism
    failed once: wait for the row and replace what it holds, so a member's
    bursts of casts all get through instead of retrying each other out."""
    if _change_choice(ballot_id, previous=read, choice=choice, now=now):
        return read
    held = Ballot.objects.select_for_update().values_list("choice", flat=True).get(pk=ballot_id)
    if held != choice:
        _change_choice(ballot_id, previous=held, choice=choice, now=now)  # the row is ours
    return held


def _move_tally(proposal_id: int, *, add: str, remove: str | None, now: datetime) -> bool:
    """The only write of a cast to the proposal row, last before the commit, so
    casts queue on the row only for their commit. It counts nothing if the
    vote closed meanwhile. (One SQL statement: it runs for every ballot, and
    the ORM's expression building was a measurable part of a cast.)"""
    changes = [f"{_TALLY_COLUMNS[add]} = {_TALLY_COLUMNS[add]} + 1"]
    if remove is not None:
        changes.append(f"{_TALLY_COLUMNS[remove]} = {_TALLY_COLUMNS[remove]} - 1")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Proposal._meta.db_table} SET {', '.join(changes)} "
            "WHERE id = %s AND state = %s AND voting_closes_at > %s",
            [proposal_id, State.VOTING, connection.ops.adapt_datetimefield_value(now)],
        )
        return cursor.rowcount == 1


def _check_voting_open(proposal: Proposal, now: datetime) -> None:
    """Ballots only in the voting phase, before the close (`proposals.phases`)."""
    phase = phase_of(proposal)
    if phase.is_voting and now < proposal.voting_closes_at:
        return
    if proposal.state == State.WITHDRAWN:
        raise VotingClosed(_("This proposal was withdrawn; there is nothing to vote on."))
    if phase.is_voting or phase.is_decided:
        raise VotingClosed(_("Voting on this proposal has closed."))
    if proposal.voting_opens_at is None:
        raise VotingNotOpen(_("Voting has not opened yet."))
    raise VotingNotOpen(
        _("Voting opens on %(date)s.") % {"date": dates.moment(proposal.voting_opens_at)}
    )


@transaction.atomic
def _cast(proposal: Proposal, *, voter: Member, choice: str) -> CastResult:
    now = timezone.now()
    _check_voting_open(proposal, now)
    previous = proposal.voter_choice
    if previous is None:
        # A first ballot: only members on the frozen roll (the database agrees).
        reason = ineligibility_reason(proposal=proposal, person=voter)
        if reason:
            raise NotEligible(reason)
    elif proposal.voter_standing != Membership.Status.MEMBER:
        # Suspended since: the ballot stands, but cannot change (the database agrees).
        raise NotEligible(_("Only members in good standing can vote."))
    code = receipt_code(proposal_id=proposal.pk, voter_id=voter.pk)
    if previous == choice:
        return CastResult(choice=choice, receipt=code, changed=False)
    if previous is None:
        # The unique constraint refuses a second first ballot, and the bylaw
        # guard a ballot once voting has closed: IntegrityError, decide again.
        Ballot.objects.create(
            proposal=proposal,
            voter=voter,
            choice=choice,
            cast_at=now,
            changed_at=now,
            receipt_hash=receipt_hash(code),
        )
    else:
        previous = _replace_choice(proposal.voter_ballot_id, read=previous, choice=choice, now=now)
        if previous == choice:  # another cast by this member set it meanwhile
            return CastResult(choice=choice, receipt=code, changed=False)
    if not _move_tally(proposal.pk, add=choice, remove=previous, now=now):
        raise _BallotRace
    broadcasts.tally_changed(proposal=proposal)
    return CastResult(choice=choice, receipt=code, changed=True)
