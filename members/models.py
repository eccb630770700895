from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from members.roles import Role


class Member(AbstractUser):
    """A person with an account. Standing in the community is on `membership`."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    bio = models.TextField(_("about me"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="members_member_unique_email",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def public_name(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """A person's standing: applicant, member, suspended or left.

    Voting eligibility depends on `admitted_at` (tenure), so it is set once
    per admission and never edited by hand.
    """

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        MEMBER = "member", _("Member")
        SUSPENDED = "suspended", _("Suspended")
        LEFT = "left", _("Left")

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="membership")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPLICANT)
    applied_at = models.DateTimeField()
    admitted_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["applicant", "member", "suspended", "left"]),
                name="members_membership_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["applicant", "left"]) | Q(admitted_at__isnull=False),
                name="members_membership_admitted_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="left") | Q(left_at__isnull=False),
                name="members_membership_left_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "admitted_at"])]

    def __str__(self) -> str:
        return f"{self.member} ({self.get_status_display()})"

    @property
    def is_in_good_standing(self) -> bool:
        return self.status == self.Status.MEMBER


class StandingChange(models.Model):
    """One change of a person's standing and the authority for it.

    Append-only. The `Membership` row is the standing now; these rows explain
    it, and the database accepts a change of the membership only together
    with the change that authorizes it (`members/triggers.py`)."""

    class Action(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ADMITTED = "admitted", _("Admitted")
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        LEFT = "left", _("Left")

    class Authority(models.TextChoices):
        # Before the community's first journal entry: the founding act.
        FOUNDING = "founding", _("Founding act")
        # The person themself: signing up, confirming their email under open
        # admission, leaving.
        SELF = "self", _("The person")
        # A steward's decision, with a public reason where the bylaws ask one.
        STEWARD = "steward", _("A steward")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="standing_changes")
    action = models.CharField(max_length=16, choices=Action.choices)
    authority = models.CharField(max_length=16, choices=Authority.choices)
    actor = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()
    # On an application made by signing up: the journal entry that put in
    # force the bylaws the applicant was shown and accepted
    # (`governance.selectors.bylaws_entry`); the versions are rebuilt from
    # the journal up to it. Empty for the founding act's members and for
    # accounts the operator made. The guard accepts only the entry in force
    # when the row is written, and never a change.
    accepted_bylaws_entry = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["member", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["applied", "admitted", "suspended", "reinstated", "left"]),
                name="members_standingchange_action_valid",
            ),
            models.CheckConstraint(
                condition=Q(authority__in=["founding", "self", "steward"]),
                name="members_standingchange_authority_valid",
            ),
            models.CheckConstraint(
                condition=Q(accepted_bylaws_entry__isnull=True) | Q(action="applied"),
                name="members_standingchange_bylaws_accepted_on_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.action} ({self.authority})"


class RoleAssignment(models.Model):
    """Who held which role, when, and on whose authority. Never deleted.

    A role is granted by the founding act or by an enacted appointment
    proposal (`granted_by_proposal`), and ends by an enacted removal
    (`revoked_by_proposal`) or when its holder leaves the community."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_by_proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles_granted",
    )
    grant_reason = models.CharField(max_length=500)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_by_proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles_revoked",
    )
    revoke_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["granted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "role"],
                condition=Q(revoked_at__isnull=True),
                name="members_roleassignment_one_active_per_role",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]),
                name="members_roleassignment_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
