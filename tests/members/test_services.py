"""Membership lifecycle and roles, through the real services and journal."""

from __future__ import annotations

import pytest

from governance.models import JournalEntry
from members import selectors, services
from members.errors import AlreadyLeft, NotAMember, NotSteward, StandingConflict
from members.models import Membership, RoleAssignment
from members.roles import Role
from tests.factories import make_member
from tests.members.helpers import journal_kinds, journal_length

pytestmark = pytest.mark.django_db


def test_applicant_admitted_becomes_member_with_tenure_starting_now(community):
    applicant = make_member("newcomer", status=Membership.Status.APPLICANT)
    before = journal_length()

    membership = services.admit_member(member=applicant)

    membership.refresh_from_db()
    assert membership.status == Membership.Status.MEMBER
    assert membership.admitted_at is not None
    assert selectors.is_member(applicant)
    entry = JournalEntry.objects.order_by("-seq").first()
    assert journal_length() == before + 1
    assert entry.kind == "member.admitted"
    assert entry.payload == {"member": "newcomer"}


def test_member_who_leaves_gives_up_every_role_in_the_journal(community):
    carol = community["carol"]
    before = journal_length()

    services.leave_community(member=carol)

    membership = Membership.objects.get(member=carol)
    assert membership.status == Membership.Status.LEFT
    assert membership.left_at is not None
    assert not selectors.has_role(carol, Role.STEWARD)
    assert not carol.groups.filter(name=Role.STEWARD).exists()
    assert journal_kinds(after=before) == ["role.removed", "member.left"]
    removed = JournalEntry.objects.get(seq=before + 1)
    assert removed.payload["member"] == "carol"
    assert removed.payload["role"] == "steward"


def test_leaving_twice_is_refused_and_changes_nothing(community):
    carol = community["carol"]
    services.leave_community(member=carol)
    left_at = Membership.objects.get(member=carol).left_at
    before = journal_length()

    with pytest.raises(AlreadyLeft):
        services.leave_community(member=carol)

    assert Membership.objects.get(member=carol).left_at == left_at
    assert journal_length() == before


def test_only_a_steward_can_suspend(community):
    bob, alice = community["bob"], community["alice"]
    before = journal_length()

    with pytest.raises(NotSteward):
        services.suspend_member(member=alice, actor=bob, reason="no reason at all")

    assert Membership.objects.get(member=alice).status == Membership.Status.MEMBER
    assert journal_length() == before


def test_suspension_needs_a_public_reason(community):
    carol, alice = community["carol"], community["alice"]
    before = journal_length()

    with pytest.raises(StandingConflict):
        services.suspend_member(member=alice, actor=carol, reason="   ")

    assert Membership.objects.get(member=alice).status == Membership.Status.MEMBER
    assert journal_length() == before


def test_steward_suspends_with_a_journaled_reason_and_reinstates(community):
    carol, alice = community["carol"], community["alice"]

    services.suspend_member(member=alice, actor=carol, reason="Repeated insults in debates")

    membership = Membership.objects.get(member=alice)
    assert membership.status == Membership.Status.SUSPENDED
    assert membership.suspension_reason == "Repeated insults in debates"
    entry = JournalEntry.objects.order_by("-seq").first()
    assert (entry.kind, entry.actor) == ("member.suspended", "carol")
    assert entry.payload["reason"] == "Repeated insults in debates"
    assert not selectors.is_member(alice)

    services.reinstate_member(member=alice, actor=carol)

    assert Membership.objects.get(member=alice).status == Membership.Status.MEMBER
    assert JournalEntry.objects.order_by("-seq").first().kind == "member.reinstated"


def test_role_granted_to_a_non_member_is_refused_and_nothing_changes(community):
    applicant = make_member("hopeful", status=Membership.Status.APPLICANT)
    before = journal_length()

    with pytest.raises(NotAMember):
        services.grant_role(member=applicant, role=Role.STEWARD, actor=None, reason="vote #3")

    assert not RoleAssignment.objects.filter(member=applicant).exists()
    assert not applicant.groups.exists()
    assert journal_length() == before


def test_role_grant_and_removal_are_journaled(community):
    alice = community["alice"]
    before = journal_length()

    services.grant_role(
        member=alice,
        role=Role.AUDITOR,
        actor=None,
        reason="appointed by vote",
        authority={"proposal": 7},
    )
    services.revoke_role(member=alice, role=Role.AUDITOR, actor=None, reason="removed by vote")

    appointed, removed = JournalEntry.objects.filter(seq__gt=before).order_by("seq")
    assert appointed.kind == "role.appointed"
    assert appointed.payload == {
        "member": "alice",
        "role": "auditor",
        "reason": "appointed by vote",
        "proposal": 7,
    }
    assert removed.kind == "role.removed"
    assert removed.payload["reason"] == "removed by vote"
    assert not selectors.has_role(alice, Role.AUDITOR)
    history = RoleAssignment.objects.get(member=alice, role=Role.AUDITOR)
    assert history.revoked_at is not None  # kept as history, never deleted
