"""Factories for test data. Standing and roles go through the real services,
so tests start from states the application itself can reach."""

from __future__ import annotations

from datetime import timedelta

import factory
import time_machine
from django.utils import timezone

from members.models import Member, Membership

DEFAULT_PASSWORD = "correct-horse-battery"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_member(
    username: str | None = None,
    *,
    status: str = Membership.Status.MEMBER,
    admitted_days_ago: int = 365,
    verified_email: bool = True,
    **fields,
) -> Member:
    """A person with the given standing; by default a member for a year.

    The standing is reached through the membership services, at the moments
    it would have been (time moved with time-machine), so the guards see the
    same record as for anybody else. A suspension needs a steward, so a
    suspended member can only be made in a founded community."""
    from members import services

    kwargs = {"username": username} if username else {}
    member = MemberFactory(**kwargs, **fields)
    if verified_email:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    with time_machine.travel(timezone.now() - timedelta(days=admitted_days_ago), tick=False):
        services.apply_for_membership(member=member)
        if status != Membership.Status.APPLICANT:
            _admit(member)
    if status == Membership.Status.SUSPENDED:
        services.suspend_member(member=member, actor=_steward(), reason="made suspended for a test")
    elif status == Membership.Status.LEFT:
        services.leave_community(member=member)
    member.refresh_from_db()
    return member


def _admit(member: Member) -> None:
    from governance.selectors import current_parameters
    from members import services

    if current_parameters().admission == "open":
        services.admit_member(member=member)
    else:
        services.admit_member(member=member, actor=_steward())


def _steward() -> Member:
    from members.models import RoleAssignment

    assignment = (
        RoleAssignment.objects.filter(role="steward", revoked_at__isnull=True)
        .select_related("member")
        .first()
    )
    if assignment is None:
        raise AssertionError("this standing needs a steward: use the `community` fixture")
    return assignment.member


def found(*, founders=None, appointments=None, community="Test Commons"):
    """Run the founding act with the default charter."""
    from members.services import found_community

    founders = founders or [make_member("founder")]
    return found_community(community=community, founders=founders, appointments=appointments or {})
