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


class RoleAssignment(models.Model):
    """Who held which role, when, and on whose authority. Never deleted."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grant_reason = models.CharField(max_length=500)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
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
