"""Every change to proposals and ballots.

The lifecycle: draft → discussion → (notice, for legal-structure changes) →
voting → passed / rejected / failed quorum → (timelock) → enacted; or
withdrawn by its authors before voting. Transitions happen on time through
`advance_proposal` (run by `governance_tick`, and before every read and vote),
so nobody has to act for a vote to open or close.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from governance import journal
from governance.decisions import decide_for
from governance.errors import GuardViolation, NotEnactable
from governance.selectors import current_parameters, is_founded
from governance.services import clean_amendment, enact_article_version, required_decision_class
from kernel.chain import canonical_json
from kernel.errors import DomainError, NotFound
from members.models import Member, Membership
from members.permissions import has_object_role
from members.roles import APPOINTED_ROLES
from members.selectors import has_role, is_member
from members.services import grant_role, revoke_role
from proposals import broadcasts
from proposals.errors import (
    BallotConflict,
    InvalidChoice,
    InvalidProposal,
    NotAMember,
    NotAnAuthor,
    NotEligible,
    TextFrozen,
    VotingClosed,
    VotingNotOpen,
    WrongPhase,
)
from proposals.models import (
    MAX_BODY_CHARS,
    MAX_TITLE_CHARS,
    Amendment,
    Appointment,
    Ballot,
    BudgetItem,
    Choice,
    DecisionClass,
    ElectorateEntry,
    Kind,
    Notification,
    Proposal,
    ProposalRevision,
    State,
    notification_text,
)
from proposals.phases import EDITABLE_STATES, WITHDRAWABLE_STATES, is_due
from treasury.services import open_budget_lines_for, validate_budget_items

logger = logging.getLogger(__name__)

CHANGE_PERMISSION = "change_proposal"


# --- locking -----------------------------------------------------------------


def lock_proposal(proposal_id: int) -> Proposal:
    """The one place proposals are locked for read-then-write."""
    try:
        return Proposal.objects.select_for_update(of=("self",)).get(pk=proposal_id)
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("There is no proposal #%(id)s.") % {"id": proposal_id}) from None


# --- drafting ----------------------------------------------------------------


@dataclass(frozen=True)
class Contents:
    amendments: list[dict]
    budget_items: list[dict]
    appointments: list[dict]

    def as_json(self) -> dict:
        return {
            "amendments": self.amendments,
            "budget_items": self.budget_items,
            "appointments": self.appointments,
        }


def _clean_text(title: str, body: str) -> tuple[str, str]:
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        raise InvalidProposal(_("A proposal needs a title."))
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidProposal(
            _("The title is too long (%(n)s characters; at most %(max)s).")
            % {"n": len(title), "max": MAX_TITLE_CHARS}
        )
    if not body:
        raise InvalidProposal(_("A proposal needs a text explaining what it decides and why."))
    if len(body) > MAX_BODY_CHARS:
        raise InvalidProposal(
            _("The text is too long (%(n)s characters; at most %(max)s).")
            % {"n": len(body), "max": MAX_BODY_CHARS}
        )
    return title, body


def _clean_contents(kind: str, amendments, budget_items, appointments) -> Contents:
    amendments = list(amendments or [])
    budget_items = list(budget_items or [])
    appointments = list(appointments or [])
    if kind not in Kind.values:
        raise InvalidProposal(_("Unknown kind of proposal: %(kind)s.") % {"kind": kind})
    if kind != Kind.AMENDMENT and amendments:
        raise InvalidProposal(_("Only a bylaw amendment changes bylaw articles."))
    if kind != Kind.BUDGET and budget_items:
        raise InvalidProposal(_("Only a budget proposal has budget lines."))
    if kind != Kind.APPOINTMENT and appointments:
        raise InvalidProposal(_("Only an appointment proposal appoints or removes roles."))

    cleaned_amendments = []
    if kind == Kind.AMENDMENT:
        if not amendments:
            raise InvalidProposal(_("A bylaw amendment must change at least one article."))
        seen = set()
        for raw in amendments:
            cleaned = clean_amendment(
                article_slug=raw.get("article_slug", ""),
                new_title=raw.get("new_title", ""),
                new_class=raw.get("new_class", ""),
                new_text=raw.get("new_text", ""),
                new_parameters=raw.get("new_parameters"),
            )
            if cleaned["article_slug"] in seen:
                raise InvalidProposal(_("Each article can be amended only once per proposal."))
            seen.add(cleaned["article_slug"])
            cleaned_amendments.append(cleaned)

    cleaned_items = []
    if kind == Kind.BUDGET:
        if not budget_items:
            raise InvalidProposal(_("A budget needs at least one line."))
        cleaned_items = validate_budget_items(budget_items)

    cleaned_appointments = []
    if kind == Kind.APPOINTMENT:
        if not appointments:
            raise InvalidProposal(_("An appointment proposal names at least one role change."))
        seen = set()
        for raw in appointments:
            role = raw.get("role")
            action = raw.get("action")
            username = raw.get("member")
            if role not in [r.value for r in APPOINTED_ROLES]:
                raise InvalidProposal(
                    _("Only stewards, treasurers and auditors are appointed by vote.")
                )
            if action not in ("grant", "remove"):
                raise InvalidProposal(_("An appointment either appoints or removes."))
            person = Member.objects.filter(username=username).first()
            if person is None:
                raise InvalidProposal(_("There is no member called %(name)s.") % {"name": username})
            if action == "grant" and not is_member(person):
                raise InvalidProposal(
                    _("%(name)s is not a member in good standing and cannot be appointed.")
                    % {"name": username}
                )
            if action == "remove" and not has_role(person, role):
                raise InvalidProposal(
                    _("%(name)s does not hold the role %(role)s.")
                    % {"name": username, "role": role}
                )
            if (username, role) in seen:
                raise InvalidProposal(_("Each role change may appear only once."))
            seen.add((username, role))
            cleaned_appointments.append({"member": username, "role": role, "action": action})
    return Contents(cleaned_amendments, cleaned_items, cleaned_appointments)


def _write_contents(proposal: Proposal, contents: Contents) -> None:
    proposal.amendments.all().delete()
    proposal.budget_items.all().delete()
    proposal.appointments.all().delete()
    Amendment.objects.bulk_create(Amendment(proposal=proposal, **a) for a in contents.amendments)
    BudgetItem.objects.bulk_create(
        BudgetItem(proposal=proposal, **item) for item in contents.budget_items
    )
    members = {
        m.username: m
        for m in Member.objects.filter(username__in=[a["member"] for a in contents.appointments])
    }
    Appointment.objects.bulk_create(
        Appointment(
            proposal=proposal, member=members[a["member"]], role=a["role"], action=a["action"]
        )
        for a in contents.appointments
    )


def _save_revision(proposal: Proposal, *, editor: Member, contents: Contents) -> None:
    ProposalRevision.objects.create(
        proposal=proposal,
        number=proposal.revision,
        title=proposal.title,
        body=proposal.body,
        contents=contents.as_json(),
        edited_by=editor,
        created_at=timezone.now(),
    )


@transaction.atomic
def create_draft(
    *,
    author: Member,
    kind: str,
    title: str,
    body: str,
    amendments: list[dict] | None = None,
    budget_items: list[dict] | None = None,
    appointments: list[dict] | None = None,
) -> Proposal:
    """Any member in good standing may draft a proposal of any kind."""
    if not is_member(author):
        raise NotAMember(_("Only members in good standing can write proposals."))
    title, body = _clean_text(title, body)
    contents = _clean_contents(kind, amendments, budget_items, appointments)
    proposal = Proposal.objects.create(
        kind=kind, title=title, body=body, author=author, created_at=timezone.now()
    )
    _write_contents(proposal, contents)
    _save_revision(proposal, editor=author, contents=contents)
    return proposal


def can_edit(person, proposal: Proposal) -> bool:
    """Authors and the co-authors they invited (an explicit django-guardian
    object permission). Being a superuser or holding the model-wide
    permission gives nothing here."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    if proposal.author_id == person.pk:
        return True
    return has_object_role(person, f"proposals.{CHANGE_PERMISSION}", proposal)


@transaction.atomic
def update_proposal(
    *,
    proposal_id: int,
    actor: Member,
    title: str,
    body: str,
    amendments: list[dict] | None = None,
    budget_items: list[dict] | None = None,
    appointments: list[dict] | None = None,
) -> Proposal:
    """Authors edit during draft and discussion; every edit is kept as a revision.
    From notice on (legal-structure changes) or voting, the text is frozen."""
    proposal = lock_proposal(proposal_id)
    if not can_edit(actor, proposal):
        raise NotAnAuthor(_("Only the authors of a proposal can edit it."))
    if proposal.state not in EDITABLE_STATES:
        raise TextFrozen(
            _("The text is frozen: the proposal is in %(state)s.")
            % {"state": proposal.get_state_display()}
        )
    title, body = _clean_text(title, body)
    contents = _clean_contents(proposal.kind, amendments, budget_items, appointments)
    if proposal.state == State.DISCUSSION:
        needed = required_decision_class(kind=proposal.kind, amendments=contents.amendments)
        if needed != proposal.decision_class:
            raise TextFrozen(
                _(
                    "This edit would change which rules the proposal is decided under; "
                    "withdraw it and submit a new proposal instead."
                )
            )
    proposal.title = title
    proposal.body = body
    proposal.revision += 1
    # The revision first: the database accepts a new text only together with
    # the revision that keeps it.
    _save_revision(proposal, editor=actor, contents=contents)
    proposal.save(update_fields=["title", "body", "revision"])
    _write_contents(proposal, contents)
    if proposal.state == State.DISCUSSION:
        journal.record(
            kind="proposal.revised",
            actor=actor,
            payload={
                "proposal": proposal.pk,
                "revision": proposal.revision,
                "text_sha256": _text_digest(proposal),
            },
        )
    return proposal


@transaction.atomic
def invite_coauthor(*, proposal_id: int, actor: Member, coauthor: Member) -> None:
    """Only the author invites co-authors, while the text can change; a
    submitted proposal's invitations are journaled."""
    proposal = lock_proposal(proposal_id)
    if proposal.author_id != getattr(actor, "pk", None):
        raise NotAnAuthor(_("Only the author can invite co-authors."))
    if proposal.state not in EDITABLE_STATES:
        raise TextFrozen(_("Co-authors can only be invited while the text can change."))
    if not is_member(coauthor):
        raise NotAMember(_("Only members in good standing can co-author."))
    if coauthor.pk == actor.pk:
        raise InvalidProposal(_("You are already the author."))
    if can_edit(coauthor, proposal):
        return
    assign_perm(CHANGE_PERMISSION, coauthor, proposal)
    if proposal.state != State.DRAFT:
        journal.record(
            kind="proposal.coauthor_invited",
            actor=actor,
            payload={"proposal": proposal.pk, "coauthor": coauthor.get_username()},
        )


# --- lifecycle ---------------------------------------------------------------


def _text_digest(proposal: Proposal) -> str:
    contents = {
        "title": proposal.title,
        "body": proposal.body,
        "amendments": [
            {
                "article_slug": a.article_slug,
                "new_title": a.new_title,
                "new_class": a.new_class,
                "new_text": a.new_text,
                "new_parameters": a.new_parameters,
            }
            for a in proposal.amendments.order_by("article_slug")
        ],
        "budget_items": [
            {"purpose": b.purpose, "amount_cents": b.amount_cents, "fund": b.fund}
            for b in proposal.budget_items.order_by("pk")
        ],
        "appointments": [
            {"member": a.member.username, "role": a.role, "action": a.action}
            for a in proposal.appointments.select_related("member").order_by("pk")
        ],
    }
    return hashlib.sha256(canonical_json(contents)).hexdigest()


def _iso(moment: datetime | None) -> str | None:
    return journal.chain_timestamp(moment) if moment else None


@transaction.atomic
def submit_proposal(*, proposal_id: int, actor: Member) -> Proposal:
    """Open a draft for discussion and freeze the rules it will be decided under."""
    proposal = lock_proposal(proposal_id)
    if not can_edit(actor, proposal):
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
    if proposal.decision_class == "entrenched":
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
            "text_sha256": _text_digest(proposal),
            "rules": proposal.rules,
            "voting_opens_at": _iso(proposal.voting_opens_at),
            "voting_closes_at": _iso(proposal.voting_closes_at),
            "coauthors": coauthors(proposal),
        },
    )
    _state_changed(proposal)
    return proposal


@transaction.atomic
def withdraw_proposal(*, proposal_id: int, actor: Member) -> Proposal:
    """Authors may withdraw their proposal until voting opens."""
    proposal = lock_proposal(proposal_id)
    if not can_edit(actor, proposal):
        raise NotAnAuthor(_("Only the authors of a proposal can withdraw it."))
    if proposal.state not in WITHDRAWABLE_STATES:
        raise WrongPhase(_("A proposal can only be withdrawn before voting opens."))
    was_submitted = proposal.state != State.DRAFT
    proposal.state = State.WITHDRAWN
    proposal.withdrawn_at = timezone.now()
    proposal.save(update_fields=["state", "withdrawn_at"])
    if was_submitted:
        journal.record(kind="proposal.withdrawn", actor=actor, payload={"proposal": proposal.pk})
    _state_changed(proposal)
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
    if proposal.state == State.DISCUSSION and now >= proposal.discussion_ends_at:
        if proposal.decision_class == "entrenched":
            _enter_notice(proposal)
        else:
            _open_voting(proposal)
        return True
    if proposal.state == State.NOTICE and now >= proposal.notice_ends_at:
        _open_voting(proposal)
        return True
    if proposal.state == State.VOTING and now >= proposal.voting_closes_at:
        _close_voting(proposal)
        return True
    if proposal.state == State.PASSED and now >= proposal.enactable_at:
        try:
            with transaction.atomic():
                enact_proposal(proposal_id=proposal.pk)
        except DomainError as exc:
            logger.error("proposal #%s cannot be enacted: %s", proposal.pk, exc)
            return False
        proposal.refresh_from_db()
        _state_changed(proposal)
        return True
    return False


@transaction.atomic
def enact_proposal(*, proposal_id: int) -> Proposal:
    """Apply a passed proposal once its timelock has expired.

    Bylaw versions, budget lines and role changes are written here and nowhere
    else, each by its own app's service on this proposal's authority. What is
    enacted must be what was voted on: the contents and roll must still give
    the commitment journaled when voting opened. And the proposal must have
    passed under the class its changes require *now* (if an article became
    entrenched meanwhile, an ordinary decision no longer suffices)."""
    proposal = lock_proposal(proposal_id)
    if proposal.state != State.PASSED:
        raise NotEnactable(
            _("Only a passed proposal can be enacted; this one is %(state)s.")
            % {"state": proposal.get_state_display()}
        )
    now = timezone.now()
    if proposal.enactable_at > now:
        raise NotEnactable(
            _("The timelock runs until %(when)s.") % {"when": proposal.enactable_at.isoformat()}
        )
    if electorate_commitment(proposal, _roll_usernames(proposal)) != proposal.commitment:
        raise GuardViolation(
            _(
                "What this proposal would enact is not what was voted on: its contents or roll "
                "no longer match the commitment journaled when voting opened."
            )
        )
    amendments = list(proposal.amendments.order_by("pk"))
    required = required_decision_class(
        kind=proposal.kind,
        amendments=[{"article_slug": a.article_slug, "new_class": a.new_class} for a in amendments],
    )
    if required == DecisionClass.ENTRENCHED and proposal.decision_class != DecisionClass.ENTRENCHED:
        raise GuardViolation(
            _("This change touches an entrenched article and needs a legal-structure decision.")
        )
    created = [
        enact_article_version(
            proposal=proposal,
            slug=a.article_slug,
            title=a.new_title,
            article_class=a.new_class,
            text=a.new_text,
            parameters=a.new_parameters,
        )
        for a in amendments
    ]
    if proposal.kind == Kind.BUDGET:
        open_budget_lines_for(proposal=proposal)
    for appointment in proposal.appointments.select_related("member").order_by("pk"):
        change = grant_role if appointment.action == Appointment.Action.GRANT else revoke_role
        verb = "appointed" if appointment.action == Appointment.Action.GRANT else "removed"
        change(
            member=appointment.member,
            role=appointment.role,
            reason=f"{verb} by proposal #{proposal.pk}",
            proposal=proposal,
        )
    proposal.state = State.ENACTED
    proposal.enacted_at = now
    proposal.save(update_fields=["state", "enacted_at"])
    journal.record(
        kind="proposal.enacted",
        actor="",
        payload={
            "proposal": proposal.pk,
            "versions": [f"{v.article.slug}@{v.number}" for v in created],
        },
    )
    return proposal


def _enter_notice(proposal: Proposal) -> None:
    """Legal-structure changes: text frozen and every member told before voting."""
    proposal.state = State.NOTICE
    proposal.save(update_fields=["state"])
    journal.record(
        kind="proposal.notice",
        actor="",
        payload={
            "proposal": proposal.pk,
            "text_sha256": _text_digest(proposal),
            "voting_opens_at": _iso(proposal.voting_opens_at),
        },
    )
    _notify_all_members(
        proposal,
        Notification.Kind.NOTICE,
        {"title": proposal.title, "date": proposal.voting_opens_at.date().isoformat()},
    )
    _state_changed(proposal)


def electorate_commitment(proposal: Proposal, usernames) -> str:
    """sha256 over the frozen text, options, window and the roll (sorted usernames).

    Anyone holding the roll can recompute it:
    sha256(canonical_json(header) + b"\\n" + b"\\n".join(usernames))."""
    header = {
        "proposal": proposal.pk,
        "text_sha256": _text_digest(proposal),
        "options": [c.value for c in Choice],
        "voting_opens_at": _iso(proposal.voting_opens_at),
        "voting_closes_at": _iso(proposal.voting_closes_at),
        "decision_class": proposal.decision_class,
    }
    digest = hashlib.sha256(canonical_json(header))
    for username in usernames:
        digest.update(b"\n" + username.encode("utf-8"))
    return digest.hexdigest()


def _roll_usernames(proposal: Proposal):
    """The roll's usernames in commitment order, read in chunks."""
    return (
        Member.objects.filter(
            pk__in=ElectorateEntry.objects.filter(proposal=proposal).values("member_id")
        )
        .order_by("username")
        .values_list("username", flat=True)
        .iterator(chunk_size=5000)
    )


def _open_voting(proposal: Proposal) -> None:
    """Freeze the electorate: members in good standing whose tenure, at the
    scheduled opening, meets the frozen minimum. Nobody admitted later can be
    added (the database rejects roll changes once voting is open)."""
    tenure = timedelta(days=proposal.rules["min_tenure_days"])
    cutoff = proposal.voting_opens_at - tenure
    # One INSERT … SELECT: constant queries whatever the size of the community.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO proposals_electorateentry (proposal_id, member_id)
            SELECT %s, ms.member_id FROM members_membership ms
            WHERE ms.status = %s AND ms.admitted_at <= %s
            """,
            [proposal.pk, Membership.Status.MEMBER, cutoff],
        )
    size = ElectorateEntry.objects.filter(proposal=proposal).count()
    proposal.commitment = electorate_commitment(proposal, _roll_usernames(proposal))
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
            "text_sha256": _text_digest(proposal),
            "decision_class": proposal.decision_class,
            "options": [c.value for c in Choice],
            "voting_opens_at": _iso(proposal.voting_opens_at),
            "voting_closes_at": _iso(proposal.voting_closes_at),
        },
    )
    _notify_all_members(
        proposal,
        Notification.Kind.VOTING_OPEN,
        {"title": proposal.title, "date": proposal.voting_closes_at.date().isoformat()},
        only_electorate=True,
    )
    _state_changed(proposal)


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
            "enactable_at": _iso(proposal.enactable_at),
        },
    )
    _state_changed(proposal)


def governance_tick(*, now: datetime | None = None) -> list[tuple[int, str]]:
    """Advance every proposal with a transition due. Safe to run anywhere, often."""
    now = now or timezone.now()
    due = Proposal.objects.filter(
        Q(state=State.DISCUSSION, discussion_ends_at__lte=now)
        | Q(state=State.NOTICE, notice_ends_at__lte=now)
        | Q(state=State.VOTING, voting_closes_at__lte=now)
        | Q(state=State.PASSED, enactable_at__lte=now)
    ).values_list("pk", flat=True)
    moved = []
    for proposal_id in list(due):
        proposal = advance_proposal(proposal_id=proposal_id, now=now)
        moved.append((proposal.pk, proposal.state))
    return moved


# --- ballots -----------------------------------------------------------------


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
    if proposal.state in (State.DRAFT, State.DISCUSSION, State.NOTICE):
        raise VotingNotOpen(
            _("Voting has not opened yet.")
            if proposal.state == State.DRAFT
            else _("Voting opens on %(date)s.")
            % {"date": proposal.voting_opens_at.strftime("%Y-%m-%d %H:%M UTC")}
        )
    if proposal.state == State.WITHDRAWN:
        raise VotingClosed(_("This proposal was withdrawn; there is nothing to vote on."))
    if proposal.state != State.VOTING or now >= proposal.voting_closes_at:
        raise VotingClosed(_("Voting on this proposal has closed."))


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


# --- notifications -----------------------------------------------------------


def _authors(proposal: Proposal) -> list[Member]:
    people = {proposal.author_id: proposal.author}
    for person in Member.objects.filter(
        proposaluserobjectpermission__content_object=proposal,
        proposaluserobjectpermission__permission__codename=CHANGE_PERMISSION,
    ):
        people[person.pk] = person
    return list(people.values())


def coauthors(proposal: Proposal) -> list[str]:
    """Usernames of the co-authors the author invited (sorted)."""
    return sorted(a.get_username() for a in _authors(proposal) if a.pk != proposal.author_id)


def _notify(recipients: list[Member], proposal: Proposal, kind: str, facts: dict) -> None:
    """In-app notifications, shown in each reader's language, and emails in the
    site's language (members have no language of their own yet)."""
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        message = notification_text(kind, facts)
    Notification.objects.bulk_create(
        Notification(
            recipient=r,
            proposal=proposal,
            kind=kind,
            facts=facts,
            message=message[:300],
            created_at=now,
        )
        for r in recipients
    )
    link = f"{settings.SITE_URL}/proposals/{proposal.pk}/"
    emails = [
        (
            f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{message[:120]}",
            f"{message}\n\n{link}\n",
            settings.DEFAULT_FROM_EMAIL,
            [r.email],
        )
        for r in recipients
        if r.email
    ]
    if emails:
        transaction.on_commit(lambda: send_mass_mail(emails, fail_silently=True))


def _notify_all_members(
    proposal: Proposal, kind: str, facts: dict, *, only_electorate=False
) -> None:
    if only_electorate:
        recipients = Member.objects.filter(
            pk__in=ElectorateEntry.objects.filter(proposal=proposal).values("member_id")
        )
    else:
        recipients = Member.objects.filter(membership__status=Membership.Status.MEMBER)
    _notify(list(recipients.only("pk", "email")), proposal, kind, facts)


def _state_changed(proposal: Proposal) -> None:
    if proposal.state != State.DRAFT:
        _notify(
            _authors(proposal),
            proposal,
            Notification.Kind.STATE_CHANGED,
            {"title": proposal.title, "state": proposal.state},
        )
    broadcasts.state_changed(proposal=proposal)


@transaction.atomic
def mark_notifications_read(*, member: Member) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def send_daily_digest(*, now: datetime | None = None) -> int:
    """Every member in good standing gets today's journal head (a checkpoint
    held off the server) and their notifications of the last day, in the
    site's language (members have no language of their own yet)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _send_daily_digest(now=now or timezone.now())


def _send_daily_digest(*, now: datetime) -> int:
    from governance.selectors import journal_head

    seq, head_hash = journal_head()
    since = now - timedelta(days=1)
    messages = []
    members = Member.objects.filter(membership__status=Membership.Status.MEMBER).exclude(email="")
    for member in members.iterator(chunk_size=500):
        recent = Notification.objects.filter(recipient=member, created_at__gte=since).order_by(
            "created_at"
        )
        lines = [f"- {n.text}" for n in recent[:50]] or [_("Nothing new for you today.")]
        body = "\n".join(
            [
                _("Your Commons digest for %(date)s") % {"date": date_format(now.date())},
                "",
                *lines,
                "",
                _("Governance journal head (keep it to verify the record later):"),
                f"{settings.SITE_URL}/bylaws/audit/",
                f"{seq}:{head_hash}",
                f"python governance/chain.py verify journal.jsonl --expect-head {seq}:{head_hash}",
            ]
        )
        messages.append(
            (
                f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}"
                + _("Daily digest — journal head %(seq)s") % {"seq": seq},
                body,
                settings.DEFAULT_FROM_EMAIL,
                [member.email],
            )
        )
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return len(messages)
