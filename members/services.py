"""Every change to a person's standing and roles.

Each change of standing is written as a `StandingChange` naming its
authority (the founding act, the person, or a steward), then applied to the
membership; the database accepts the membership change only together with
that record (`members/triggers.py`). Each service journals what it did in
the same transaction, so the public record and the database cannot
disagree. The founding act is journaled as one entry, the genesis, which
names everyone it admits and appoints.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import journal
from governance import services as governance_services
from governance.errors import AlreadyFounded, InvalidAmendment
from governance.models import JournalEntry
from governance.parameters import Admission
from governance.selectors import bylaws_entry, current_parameters, is_founded
from members.errors import (
    AdmissionNotByApproval,
    AlreadyLeft,
    BylawsChanged,
    NoAuthority,
    NotAMember,
    NotSteward,
    RoleAlreadyHeld,
    RoleNotHeld,
    StandingConflict,
)
from members.models import Member, Membership, RoleAssignment, StandingChange
from members.roles import APPOINTED_ROLES, Role
from members.selectors import has_role

Action = StandingChange.Action
Authority = StandingChange.Authority


def _lock_membership(member: Member) -> Membership | None:
    """The one place memberships are locked for read-then-write."""
    return Membership.objects.select_for_update().filter(member=member).first()


def _change(
    *,
    member: Member,
    action: str,
    authority: str,
    actor: Member | None,
    reason: str = "",
    accepted_bylaws_entry: int | None = None,
) -> StandingChange:
    return StandingChange.objects.create(
        member=member,
        action=action,
        authority=authority,
        actor=actor,
        reason=reason[:500],
        at=timezone.now(),
        accepted_bylaws_entry=accepted_bylaws_entry,
    )


def _journal(kind: str, *, actor, change: StandingChange, **extra) -> None:
    """Journal a standing change with its moment, so that anyone can rebuild
    every member's standing, and every roll, from the journal alone. It is
    written before the membership changes: the database accepts the new
    standing only once the journal announces it."""
    if not is_founded():
        return  # the genesis entry records everyone admitted before it
    journal.record(
        kind=kind,
        actor=actor,
        payload={
            "member": change.member.get_username(),
            "authority": change.authority,
            "at": journal.chain_timestamp(change.at),
            "change": change.pk,
            **extra,
        },
    )


def _founding_authority() -> str:
    if is_founded():
        raise NoAuthority(_("The founding act is over: the community decides from now on."))
    return Authority.FOUNDING


@transaction.atomic
def apply_for_membership(
    *, member: Member, founding: bool = False, accepted_bylaws_entry: int | None = None
) -> Membership:
    """A new account starts as an applicant; applying again changes nothing.

    Someone signing up accepts the bylaws in force: `accepted_bylaws_entry`
    names the journal entry that put in force the bylaws they were shown
    (`governance.selectors.bylaws_entry`), and is recorded on their
    application, where it never changes. If the bylaws changed after they
    were shown, the application is refused (`BylawsChanged`): nobody is on
    record as accepting bylaws they did not see. The founding act's members
    and accounts made by the operator record none."""
    membership = _lock_membership(member)
    if membership is not None:
        return membership
    authority = _founding_authority() if founding else Authority.SELF
    if accepted_bylaws_entry is not None and accepted_bylaws_entry != bylaws_entry():
        raise BylawsChanged(_("The bylaws changed while you were signing up: read them again."))
    try:
        with transaction.atomic():
            change = _change(
                member=member,
                action=Action.APPLIED,
                authority=authority,
                actor=member,
                accepted_bylaws_entry=accepted_bylaws_entry,
            )
    except IntegrityError as exc:
        # An enactment committed between the check and the write: the guard
        # compared with the bylaws in force by then.
        if accepted_bylaws_entry is not None and accepted_bylaws_entry != bylaws_entry():
            raise BylawsChanged(
                _("The bylaws changed while you were signing up: read them again.")
            ) from exc
        raise
    return Membership.objects.create(member=member, applied_at=change.at)


def _require_steward(actor) -> None:
    if not has_role(actor, Role.STEWARD):
        raise NotSteward(_("Only a steward can do this."))


@transaction.atomic
def admit_member(
    *, member: Member, actor: Member | None = None, founding: bool = False
) -> Membership:
    """Make an applicant (or a person who left) a member; tenure starts now.

    Under open admission the person is admitted when they confirm their email
    (no actor: their own act); under admission by approval a steward admits
    them (`actor`). The founding act admits its founders and first role
    holders."""
    if founding:
        authority = _founding_authority()
    elif actor is None:
        authority = Authority.SELF
        if current_parameters().admission != Admission.OPEN:
            raise AdmissionNotByApproval(
                _("Admission is by approval: a steward admits applicants.")
            )
    else:
        authority = Authority.STEWARD
        _require_steward(actor)
        if current_parameters().admission != Admission.APPROVAL:
            raise AdmissionNotByApproval(
                _(
                    "Admission is open: people become members when they confirm their email "
                    "address, not by a steward's approval."
                )
            )
    membership = _lock_membership(member) or apply_for_membership(member=member, founding=founding)
    if membership.status == Membership.Status.MEMBER:
        raise StandingConflict(_("%(name)s is already a member.") % {"name": member})
    if membership.status == Membership.Status.SUSPENDED:
        raise StandingConflict(_("A suspended member is reinstated, not admitted again."))
    change = _change(
        member=member,
        action=Action.ADMITTED,
        authority=authority,
        actor=member if authority == Authority.SELF else actor,
    )
    _journal("member.admitted", actor=actor, change=change)
    membership.status = Membership.Status.MEMBER
    membership.admitted_at = change.at
    membership.left_at = None
    membership.save()
    return membership


@transaction.atomic
def leave_community(*, member: Member) -> Membership:
    """A member leaves: their standing ends and every role they hold is given up."""
    membership = _lock_membership(member)
    if membership is None or membership.status == Membership.Status.LEFT:
        raise AlreadyLeft(_("You have already left the community."))
    change = _change(member=member, action=Action.LEFT, authority=Authority.SELF, actor=member)
    _journal("member.left", actor=member, change=change)
    membership.status = Membership.Status.LEFT
    membership.left_at = change.at
    membership.save()
    # Leaving is itself the authority that ends the roles (the database checks it).
    for assignment in RoleAssignment.objects.select_for_update().filter(
        member=member, revoked_at__isnull=True
    ):
        _end_role(assignment, actor=member, reason="left the community")
    return membership


@transaction.atomic
def suspend_member(*, member: Member, actor: Member, reason: str) -> Membership:
    """Stewards suspend with a public reason; a suspended member cannot vote, post
    or use any role they hold until reinstated."""
    _require_steward(actor)
    if actor.pk == member.pk:
        raise StandingConflict(_("Nobody can suspend themselves."))
    reason = (reason or "").strip()
    if not reason:
        raise StandingConflict(_("A suspension needs a public reason."))
    membership = _lock_membership(member)
    if membership is None or membership.status != Membership.Status.MEMBER:
        raise StandingConflict(_("Only a member in good standing can be suspended."))
    change = _change(
        member=member,
        action=Action.SUSPENDED,
        authority=Authority.STEWARD,
        actor=actor,
        reason=reason,
    )
    _journal("member.suspended", actor=actor, change=change, reason=change.reason)
    membership.status = Membership.Status.SUSPENDED
    membership.suspended_at = change.at
    membership.suspension_reason = change.reason
    membership.save()
    return membership


@transaction.atomic
def reinstate_member(*, member: Member, actor: Member, reason: str) -> Membership:
    """A steward gives a suspended member good standing back, with a public reason."""
    _require_steward(actor)
    if actor.pk == member.pk:
        raise StandingConflict(_("Nobody can reinstate themselves."))
    reason = (reason or "").strip()
    if not reason:
        raise StandingConflict(_("A reinstatement needs a public reason."))
    membership = _lock_membership(member)
    if membership is None or membership.status != Membership.Status.SUSPENDED:
        raise StandingConflict(_("Only a suspended member can be reinstated."))
    change = _change(
        member=member,
        action=Action.REINSTATED,
        authority=Authority.STEWARD,
        actor=actor,
        reason=reason,
    )
    _journal("member.reinstated", actor=actor, change=change, reason=change.reason)
    membership.status = Membership.Status.MEMBER
    membership.suspended_at = None
    membership.suspension_reason = ""
    membership.save()
    return membership


def _authority_payload(proposal) -> dict:
    if proposal is None:
        return {"authority": "founding act"}
    return {"authority": "proposal", "proposal": proposal.pk}


@transaction.atomic
def grant_role(
    *, member: Member, role: str, reason: str, proposal=None, founding: bool = False
) -> RoleAssignment:
    """Give a role to a member in good standing, on the authority of the
    founding act or of an enacted appointment proposal that contains exactly
    this grant. Nobody grants a role in their own name."""
    if role not in Role.values:
        raise NotAMember(_("Unknown role: %(role)s.") % {"role": role})
    if founding:
        _founding_authority()
    elif proposal is None or not proposal.authorizes_appointment(
        member=member, role=role, action="grant"
    ):
        raise NoAuthority(
            _("A role is granted only by the founding act or an enacted appointment proposal.")
        )
    membership = _lock_membership(member)
    if membership is None or membership.status != Membership.Status.MEMBER:
        raise NotAMember(
            _("%(name)s is not a member in good standing and cannot hold a role.")
            % {"name": member}
        )
    if RoleAssignment.objects.filter(member=member, role=role, revoked_at__isnull=True).exists():
        raise RoleAlreadyHeld(
            _("%(name)s already holds the role %(role)s.")
            % {"name": member, "role": Role(role).label}
        )
    if not founding:
        # Announced first: the database accepts the role only once the
        # journal says who gave it, on what authority.
        journal.record(
            kind="role.appointed",
            actor="",
            payload={
                "member": member.get_username(),
                "role": role,
                "reason": reason[:500],
                **_authority_payload(proposal),
            },
        )
    return RoleAssignment.objects.create(
        member=member,
        role=role,
        granted_at=timezone.now(),
        granted_by_proposal=proposal,
        grant_reason=reason[:500],
    )


@transaction.atomic
def revoke_role(*, member: Member, role: str, reason: str, proposal) -> RoleAssignment:
    """End a role on the authority of an enacted appointment proposal that
    removes exactly this role from this member."""
    if proposal is None or not proposal.authorizes_appointment(
        member=member, role=role, action="remove"
    ):
        raise NoAuthority(_("A role is removed only by an enacted appointment proposal."))
    assignment = (
        RoleAssignment.objects.select_for_update()
        .filter(member=member, role=role, revoked_at__isnull=True)
        .first()
    )
    if assignment is None:
        raise RoleNotHeld(
            _("%(name)s does not hold the role %(role)s.") % {"name": member, "role": role}
        )
    return _end_role(assignment, actor=None, reason=reason, proposal=proposal)


def _end_role(assignment, *, actor, reason, proposal=None) -> RoleAssignment:
    """Announce the end of a role in the journal, then end it (the database
    accepts the end only once the journal says so)."""
    journal.record(
        kind="role.removed",
        actor=actor or "",
        payload={
            "member": assignment.member.get_username(),
            "role": assignment.role,
            "reason": reason[:500],
            **(
                _authority_payload(proposal)
                if proposal is not None
                else {"authority": "left the community"}
            ),
        },
    )
    assignment.revoked_at = timezone.now()
    assignment.revoked_by = actor
    assignment.revoked_by_proposal = proposal
    assignment.revoke_reason = reason[:500]
    assignment.save()
    return assignment


@transaction.atomic
def update_profile(*, member: Member, display_name: str, bio: str) -> Member:
    member.display_name = display_name.strip()[:150]
    member.bio = bio.strip()[:2000]
    member.save(update_fields=["display_name", "bio"])
    return member


@transaction.atomic
def found_community(
    *,
    community: str,
    founders: list[Member],
    appointments: dict[str, list[Member]] | None = None,
    charter: list[dict] | None = None,
) -> JournalEntry:
    """The founding (genesis) act: adopt the charter, admit the founders and
    the first role holders, and give them their roles. It happens once.

    Everything it adopts is written while the journal is still empty (the
    only time the guards accept bylaws, memberships and roles without a
    vote); then the genesis entry, journal entry 1, records it all, with
    everyone admitted by then. From then on the community decides."""
    if JournalEntry.objects.select_for_update().exists():
        raise AlreadyFounded(_("This community has already been founded."))
    if not founders:
        raise InvalidAmendment(_("A community needs at least one founder."))
    appointments = appointments or {}
    for role in appointments:
        if role not in [r.value for r in APPOINTED_ROLES]:
            raise InvalidAmendment(_("Unknown role: %(role)s.") % {"role": role})
    charter_record = governance_services.adopt_charter(community=community, charter=charter)
    people = {m.pk: m for m in founders}
    for holders in appointments.values():
        people.update({m.pk: m for m in holders})
    for person in people.values():
        membership = apply_for_membership(member=person, founding=True)
        if membership.status != Membership.Status.MEMBER:
            admit_member(member=person, founding=True)
    grants = [(founder, Role.FOUNDER) for founder in founders] + [
        (holder, role) for role, holders in appointments.items() for holder in holders
    ]
    for person, role in grants:
        grant_role(member=person, role=role, reason="founding act", founding=True)
    return journal.record(
        kind="genesis",
        actor="",
        payload={
            "community": community,
            "charter": charter_record,
            "founders": sorted(m.get_username() for m in founders),
            # Everyone admitted before the founding act, with their tenure.
            "members": [
                {"member": username, "admitted_at": journal.chain_timestamp(admitted_at)}
                for username, admitted_at in Membership.objects.filter(
                    status=Membership.Status.MEMBER
                )
                .order_by("member__username")
                .values_list("member__username", "admitted_at")
            ],
            "appointments": {
                role: sorted(m.get_username() for m in holders)
                for role, holders in sorted(appointments.items())
            },
        },
    )
