"""Every change to a person's standing and roles.

Each service journals what it did in the governance journal, inside the same
transaction, so the public record and the database cannot disagree.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import journal
from members.errors import (
    AdmissionNotByApproval,
    AlreadyLeft,
    NotAMember,
    NotSteward,
    RoleAlreadyHeld,
    RoleNotHeld,
    StandingConflict,
)
from members.models import Member, Membership, RoleAssignment
from members.roles import Role


def _lock_membership(member: Member) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        member=member, defaults={"applied_at": timezone.now()}
    )
    return Membership.objects.select_for_update().get(pk=membership.pk)


@transaction.atomic
def apply_for_membership(*, member: Member) -> Membership:
    """A new account starts as an applicant; admission is a separate step."""
    return _lock_membership(member)


@transaction.atomic
def admit_member(*, member: Member, actor: Member | None = None) -> Membership:
    """Make an applicant (or a person who left) a member; tenure starts now.

    Under open admission this runs when the person verifies their email;
    under admission by approval a steward runs it.
    """
    if actor is not None:
        # A person admitting someone else: only a steward, and only when the
        # bylaws make admission a matter of approval.
        from governance.selectors import current_parameters

        _require_steward(actor)
        if current_parameters().admission != "approval":
            raise AdmissionNotByApproval(
                _(
                    "Admission is open: people become members when they confirm their email "
                    "address, not by a steward's approval."
                )
            )
    membership = _lock_membership(member)
    if membership.status == Membership.Status.MEMBER:
        raise StandingConflict(_("%(name)s is already a member.") % {"name": member})
    if membership.status == Membership.Status.SUSPENDED:
        raise StandingConflict(_("A suspended member is reinstated, not admitted again."))
    now = timezone.now()
    membership.status = Membership.Status.MEMBER
    membership.admitted_at = now
    membership.left_at = None
    membership.save()
    journal.record(kind="member.admitted", actor=actor, payload={"member": member.get_username()})
    return membership


@transaction.atomic
def leave_community(*, member: Member) -> Membership:
    """A member leaves: their standing ends and every role they hold is given up."""
    membership = _lock_membership(member)
    if membership.status == Membership.Status.LEFT:
        raise AlreadyLeft(_("You have already left the community."))
    for assignment in RoleAssignment.objects.select_for_update().filter(
        member=member, revoked_at__isnull=True
    ):
        _end_role(assignment, actor=member, reason="left the community")
    membership.status = Membership.Status.LEFT
    membership.left_at = timezone.now()
    membership.save()
    journal.record(kind="member.left", actor=member, payload={"member": member.get_username()})
    return membership


@transaction.atomic
def suspend_member(*, member: Member, actor: Member, reason: str) -> Membership:
    """Stewards suspend with a public reason; a suspended member cannot vote or post."""
    _require_steward(actor)
    if actor.pk == member.pk:
        raise StandingConflict(_("Nobody can suspend themselves."))
    reason = (reason or "").strip()
    if not reason:
        raise StandingConflict(_("A suspension needs a public reason."))
    membership = _lock_membership(member)
    if membership.status != Membership.Status.MEMBER:
        raise StandingConflict(_("Only a member in good standing can be suspended."))
    membership.status = Membership.Status.SUSPENDED
    membership.suspended_at = timezone.now()
    membership.suspension_reason = reason[:500]
    membership.save()
    journal.record(
        kind="member.suspended",
        actor=actor,
        payload={"member": member.get_username(), "reason": reason[:500]},
    )
    return membership


@transaction.atomic
def reinstate_member(*, member: Member, actor: Member) -> Membership:
    _require_steward(actor)
    membership = _lock_membership(member)
    if membership.status != Membership.Status.SUSPENDED:
        raise StandingConflict(_("Only a suspended member can be reinstated."))
    membership.status = Membership.Status.MEMBER
    membership.suspended_at = None
    membership.suspension_reason = ""
    membership.save()
    journal.record(kind="member.reinstated", actor=actor, payload={"member": member.get_username()})
    return membership


@transaction.atomic
def grant_role(
    *, member: Member, role: str, actor: Member | None, reason: str, authority: dict | None = None
) -> RoleAssignment:
    """Give a role to a member in good standing and journal it.

    Called by governance (the founding act, an enacted appointment proposal),
    which checks the bylaws' appointment rule first; never by views.
    """
    if role not in Role.values:
        raise NotAMember(_("Unknown role: %(role)s.") % {"role": role})
    membership = _lock_membership(member)
    if membership.status != Membership.Status.MEMBER:
        raise NotAMember(
            _("%(name)s is not a member in good standing and cannot hold a role.")
            % {"name": member}
        )
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                member=member,
                role=role,
                granted_at=timezone.now(),
                granted_by=actor,
                grant_reason=reason[:500],
            )
    except IntegrityError:
        raise RoleAlreadyHeld(
            _("%(name)s already holds the role %(role)s.")
            % {"name": member, "role": Role(role).label}
        ) from None
    Group.objects.get_or_create(name=role)[0].user_set.add(member)
    journal.record(
        kind="role.appointed",
        actor=actor,
        payload={
            "member": member.get_username(),
            "role": role,
            "reason": reason[:500],
            **(authority or {}),
        },
    )
    return assignment


@transaction.atomic
def revoke_role(
    *, member: Member, role: str, actor: Member | None, reason: str, authority: dict | None = None
) -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.select_for_update()
        .filter(member=member, role=role, revoked_at__isnull=True)
        .first()
    )
    if assignment is None:
        raise RoleNotHeld(
            _("%(name)s does not hold the role %(role)s.") % {"name": member, "role": role}
        )
    return _end_role(assignment, actor=actor, reason=reason, authority=authority)


def _end_role(assignment, *, actor, reason, authority=None) -> RoleAssignment:
    assignment.revoked_at = timezone.now()
    assignment.revoked_by = actor
    assignment.revoke_reason = reason[:500]
    assignment.save()
    group = Group.objects.filter(name=assignment.role).first()
    if group:
        group.user_set.remove(assignment.member)
    journal.record(
        kind="role.removed",
        actor=actor,
        payload={
            "member": assignment.member.get_username(),
            "role": assignment.role,
            "reason": reason[:500],
            **(authority or {}),
        },
    )
    return assignment


@transaction.atomic
def update_profile(*, member: Member, display_name: str, bio: str) -> Member:
    member.display_name = display_name.strip()[:150]
    member.bio = bio.strip()[:2000]
    member.save(update_fields=["display_name", "bio"])
    return member


def _require_steward(actor: Member) -> None:
    if not actor.groups.filter(name=Role.STEWARD).exists():
        raise NotSteward(_("Only a steward can do this."))
