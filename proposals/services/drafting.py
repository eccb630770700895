"""Writing proposals: drafts, edits kept as revisions, co-authors.

Any member in good standing drafts; the authors (and the co-authors the
author invited) edit while the phase allows it (`proposals.phases`); every
text is kept as a numbered revision, and a submitted proposal's edits and
invitations are journaled."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from governance import journal
from governance.services import clean_amendment
from kernel.text import refuse_reordering
from members.models import Member
from members.roles import APPOINTED_ROLES
from members.selectors import has_role, is_member
from proposals.decision import required_decision_class
from proposals.errors import (
    InvalidProposal,
    NotAMember,
    NotAnAuthor,
    TextFrozen,
)
from proposals.locks import lock_proposal
from proposals.models import (
    MAX_BODY_CHARS,
    MAX_TITLE_CHARS,
    Amendment,
    Appointment,
    BudgetItem,
    Kind,
    Proposal,
    ProposalRevision,
    State,
)
from proposals.permissions import CHANGE_PERMISSION, is_author, require_editable
from proposals.phases import EDITABLE_STATES
from proposals.services.commitment import text_digest
from treasury.services import validate_budget_items


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
    # A title is read in lists, notifications and the journal: it may not
    # hold characters that make it show one thing while saying another.
    refuse_reordering(title, what=_("The title"))
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
    require_editable(actor, proposal)
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
                "text_sha256": text_digest(proposal),
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
    if is_author(coauthor, proposal):
        return
    assign_perm(CHANGE_PERMISSION, coauthor, proposal)
    if proposal.state != State.DRAFT:
        journal.record(
            kind="proposal.coauthor_invited",
            actor=actor,
            payload={"proposal": proposal.pk, "coauthor": coauthor.get_username()},
        )
