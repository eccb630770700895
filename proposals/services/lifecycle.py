"""A proposal's way through its phases (`proposals.phases`):

    draft → discussion → (notice, for legal-structure changes) → voting
          → passed / rejected / failed quorum → (timelock) → enacted
    draft, discussion or notice → withdrawn

Authors submit and withdraw; every later step happens on time through
`advance_proposal` (run by `governance_tick`: the ticker, the command, and
before each proposal page, API answer and ballot), so nobody has to act for
a vote to open or close."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance import journal
from governance.decisions import decide_for
from governance.selectors import current_parameters, is_founded
from kernel.errors import DomainError, NotFound
from kernel.guards import dialect_for
from members.models import Member
from members.selectors import is_member
from proposals.decision import required_decision_class
from proposals.errors import (
    NotAMember,
    NotAnAuthor,
    WrongPhase,
)
from proposals.locks import lock_proposal
from proposals.models import (
    Ballot,
    Choice,
    DecisionClass,
    ElectorateEntry,
    Notification,
    Proposal,
    State,
)
from proposals.permissions import is_author
from proposals.phases import WITHDRAWABLE_STATES, due_filter, is_due
from proposals.services.commitment import (
    chain_time,
    electorate_commitment,
    roll_usernames,
    text_digest,
)
from proposals.services.enactment import enact_proposal
from proposals.services.notifications import announce_state, coauthors, notify_members
from proposals.triggers.rules import eligible as roll_rule

logger = logging.getLogger(__name__)


@transaction.atomic
def submit_proposal(*, proposal_id: int, actor: Member) -> Proposal:
    """Open a draft for discussion and freeze the rules it will be decided under."""
    proposal = lock_proposal(proposal_id)
    if not is_author(actor, proposal):
        raise NotAnAuthor(_("Only the authors of a proposal can submit it."))
    if proposal.state != State.DRAFT:
        raise WrongPhase(_("Only a draft can be submitted; this proposal is already open."))
    if not is_member(actor):
        raise NotAMember(_("Only members in good standing can submit proposals."))
    if not is_founded():
        raise WrongPhase(_("The community has no bylaws yet: it must be founded first."))
    amendments = list(proposal.amendments.values("article_slug", "new_class"))
    parameters = current_parameters()
    now = timezone.now()
    proposal.decision_class = required_decision_class(kind=proposal.kind, amendments=amendments)
    proposal.rules = parameters.to_json()
    proposal.state = State.DISCUSSION
    proposal.submitted_at = now
    proposal.discussion_ends_at = now + timedelta(days=parameters.discussion_days)
    if proposal.decision_class == DecisionClass.ENTRENCHED:
        proposal.notice_ends_at = proposal.discussion_ends_at + timedelta(
            days=parameters.notice_days
        )
        proposal.voting_opens_at = proposal.notice_ends_at
    else:
        proposal.voting_opens_at = proposal.discussion_ends_at
    proposal.voting_closes_at = proposal.voting_opens_at + timedelta(days=parameters.voting_days)
    proposal.save()
    journal.record(
        kind="proposal.submitted",
        actor=actor,
        payload={
            "proposal": proposal.pk,
            "kind": proposal.kind,
            "title": proposal.title,
            "decision_class": proposal.decision_class,
            "text_sha256": text_digest(proposal),
            "rules": proposal.rules,
            "voting_opens_at": chain_time(proposal.voting_opens_at),
            "voting_closes_at": chain_time(proposal.voting_closes_at),
            "coauthors": coauthors(proposal),
        },
    )
    announce_state(proposal)
    return proposal


@transaction.atomic
def withdraw_proposal(*, proposal_id: int, actor: Member) -> Proposal:
    """Authors may withdraw their proposal until voting opens."""
    proposal = lock_proposal(proposal_id)
    if not is_author(actor, proposal):
        raise NotAnAuthor(_("Only the authors of a proposal can withdraw it."))
    if proposal.state not in WITHDRAWABLE_STATES:
        raise WrongPhase(_("A proposal can only be withdrawn before voting opens."))
    was_submitted = proposal.state != State.DRAFT
    proposal.state = State.WITHDRAWN
    proposal.withdrawn_at = timezone.now()
    proposal.save(update_fields=["state", "withdrawn_at"])
    if was_submitted:
        journal.record(kind="proposal.withdrawn", actor=actor, payload={"proposal": proposal.pk})
    announce_state(proposal)
    return proposal


def advance_proposal(*, proposal_id: int, now: datetime | None = None) -> Proposal:
    """Apply every transition that is due, each in its own transaction.

    Idempotent: running it twice, or on several servers at once, moves a
    proposal once (each step re-reads the state under a lock). When nothing
    is due — the common case on every read and ballot — it takes no lock. A
    step the database guard refuses is left undone and logged: the record
    does not explain it, and nobody reading a page should pay for that."""
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("There is no proposal #%(id)s.") % {"id": proposal_id})
    if not is_due(proposal, now or timezone.now()):
        return proposal
    for _step in range(5):
        now_ = now or timezone.now()
        try:
            with transaction.atomic():
                proposal = lock_proposal(proposal_id)
                moved = _advance_one_step(proposal, now_)
        except IntegrityError as exc:
            logger.error("proposal #%s: the guard refused its next step: %s", proposal_id, exc)
            return Proposal.objects.get(pk=proposal_id)
        if not moved:
            return proposal
    return proposal


def _advance_one_step(proposal: Proposal, now: datetime) -> bool:
    """Take the step the current phase leads to once its deadline has come."""
    if not is_due(proposal, now):
        return False
    if proposal.state == State.DISCUSSION:
        if proposal.decision_class == DecisionClass.ENTRENCHED:
            _enter_notice(proposal)
        else:
            _open_voting(proposal)
    elif proposal.state == State.NOTICE:
        _open_voting(proposal)
    elif proposal.state == State.VOTING:
        _close_voting(proposal)
    elif proposal.state == State.PASSED:
        try:
            with transaction.atomic():
                enact_proposal(proposal_id=proposal.pk)
        except DomainError as exc:
            logger.error("proposal #%s cannot be enacted: %s", proposal.pk, exc)
            return False
        proposal.refresh_from_db()
        announce_state(proposal)
    else:  # a phase with a deadline but no step here: the table and this code disagree
        raise AssertionError(f"no step from {proposal.state}")
    return True


def _enter_notice(proposal: Proposal) -> None:
    """Legal-structure changes: text frozen and every member told before voting."""
    proposal.state = State.NOTICE
    proposal.save(update_fields=["state"])
    journal.record(
        kind="proposal.notice",
        actor="",
        payload={
            "proposal": proposal.pk,
            "text_sha256": text_digest(proposal),
            "voting_opens_at": chain_time(proposal.voting_opens_at),
        },
    )
    notify_members(
        proposal,
        Notification.Kind.NOTICE,
        {"title": proposal.title, "date": proposal.voting_opens_at.date().isoformat()},
    )
    announce_state(proposal)


def _open_voting(proposal: Proposal) -> None:
    """Freeze the electorate: members in good standing whose tenure, at the
    scheduled opening, meets the frozen minimum. Nobody admitted later can be
    added (the database rejects roll changes once voting is open)."""
    # One INSERT … SELECT, constant queries whatever the size of the
    # community, with the very rule the database guard checks the roll by.
    rule = roll_rule(dialect_for(connection), "ms", "p")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO proposals_electorateentry (proposal_id, member_id) "
            "SELECT p.id, ms.member_id FROM members_membership ms "
            f"JOIN proposals_proposal p ON p.id = %s WHERE {rule}",
            [proposal.pk],
        )
    size = ElectorateEntry.objects.filter(proposal=proposal).count()
    proposal.commitment = electorate_commitment(proposal, roll_usernames(proposal))
    proposal.electorate_size = size
    proposal.state = State.VOTING
    proposal.save(update_fields=["commitment", "electorate_size", "state"])
    journal.record(
        kind="proposal.voting_opened",
        actor="",
        payload={
            "proposal": proposal.pk,
            "commitment": proposal.commitment,
            "electorate_size": size,
            # With the published roll, everything needed to recompute the
            # commitment offline (docs/auditing.md).
            "text_sha256": text_digest(proposal),
            "decision_class": proposal.decision_class,
            "options": [c.value for c in Choice],
            "voting_opens_at": chain_time(proposal.voting_opens_at),
            "voting_closes_at": chain_time(proposal.voting_closes_at),
        },
    )
    notify_members(
        proposal,
        Notification.Kind.VOTING_OPEN,
        {"title": proposal.title, "date": proposal.voting_closes_at.date().isoformat()},
        only_electorate=True,
    )
    announce_state(proposal)


def recount(proposal: Proposal) -> dict[str, int]:
    """Count the stored ballots (one grouped query)."""
    counts = {c.value: 0 for c in Choice}
    for row in (
        Ballot.objects.filter(proposal=proposal).values("choice").annotate(n=Count("pk")).order_by()
    ):
        counts[row["choice"]] = row["n"]
    return counts


def _close_voting(proposal: Proposal) -> None:
    counts = recount(proposal)
    kept = {"yes": proposal.yes_count, "no": proposal.no_count, "abstain": proposal.abstain_count}
    if counts != kept:
        # The ballots are the truth; a drifted running tally is corrected on record.
        logger.error("proposal #%s tally %s differs from ballots %s", proposal.pk, kept, counts)
        journal.record(
            kind="proposal.tally_corrected",
            actor="",
            payload={"proposal": proposal.pk, "running": kept, "ballots": counts},
        )
    # The public record is written in one language, whoever's request closed the vote.
    with translation.override("en"):
        outcome = decide_for(
            rules_json=proposal.rules,
            decision_class=proposal.decision_class,
            yes=counts["yes"],
            no=counts["no"],
            abstain=counts["abstain"],
            electorate=proposal.electorate_size or 0,
        )
    proposal.yes_count = counts["yes"]
    proposal.no_count = counts["no"]
    proposal.abstain_count = counts["abstain"]
    proposal.state = outcome.state
    proposal.closed_at = proposal.voting_closes_at
    if outcome.state == State.PASSED:
        proposal.enactable_at = proposal.closed_at + timedelta(days=proposal.rules["timelock_days"])
    proposal.save()
    journal.record(
        kind="proposal.closed",
        actor="",
        payload={
            "proposal": proposal.pk,
            "outcome": outcome.state,
            "yes": outcome.yes,
            "no": outcome.no,
            "abstain": outcome.abstain,
            "electorate_size": outcome.electorate,
            "explanation": outcome.explanation,
            "enactable_at": chain_time(proposal.enactable_at),
        },
    )
    announce_state(proposal)


def governance_tick(*, now: datetime | None = None) -> list[tuple[int, str]]:
    """Advance every proposal with a transition due. Safe to run anywhere, often."""
    now = now or timezone.now()
    due = Proposal.objects.filter(due_filter(now)).values_list("pk", flat=True)
    moved = []
    for proposal_id in list(due):
        proposal = advance_proposal(proposal_id=proposal_id, now=now)
        moved.append((proposal.pk, proposal.state))
    return moved
