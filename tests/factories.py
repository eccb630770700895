"""Factories for test data. Standing and roles go through the real services,
so tests start from states the application itself can reach."""

from __future__ import annotations

from datetime import timedelta

import factory
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
    """A person with the given standing; by default a member for a year."""
    kwargs = {"username": username} if username else {}
    member = MemberFactory(**kwargs, **fields)
    now = timezone.now()
    admitted_at = now - timedelta(days=admitted_days_ago)
    Membership.objects.create(
        member=member,
        status=status,
        applied_at=admitted_at,
        admitted_at=None if status in ("applicant",) else admitted_at,
        left_at=now if status == "left" else None,
        suspended_at=now if status == "suspended" else None,
    )
    if verified_email:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return member


def found(*, founders=None, appointments=None, community="Test Commons"):
    """Run the founding act with the default charter."""
    from governance.services import found_community

    founders = founders or [make_member("founder")]
    return found_community(community=community, founders=founders, appointments=appointments or {})
