"""Membership lifecycle and roles, through the real services and journal."""

from __future__ import annotations

import pytest

from governance import journal
from governance.models import JournalEntry
from members import selectors, services
from members.errors import AlreadyLeft, NotAMember, NotSteward, StandingConflict
from members.models import Membership, RoleAssignment
from members.roles import Role
from tests.factories import make_member
from tests.members.helpers import journal_kinds, journal_length
from tests.proposals.helpers import pass_proposal

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
    change = applicant.standing_changes.order_by("pk").last()
    assert entry.payload == {
        "member": "newcomer",
        "authority": "self",
        "at": journal.chain_timestamp(membership.admitted_at),
        "change": change.pk,
    }


def test_member_who_leaves_gives_up_every_role_in_the_journal(community):
    carol = community["carol"]
    before = journal_length()

    services.leave_community(member=carol)

    membership = Membership.objects.get(member=carol)
    assert membership.status == Membership.Status.LEFT
    assert membership.left_at is not None
    assert not selectors.has_role(carol, Role.STEWARD)
    assert not carol.groups.filter(name=Role.STEWARD).exists()
    # Leaving is the authority that ends the roles: it is journaled first.
    assert journal_kinds(after=before) == ["member.left", "role.removed"]
    left = JournalEntry.objects.get(seq=before + 1)
    assert (left.payload["member"], left.payload["authority"]) == ("carol", "self")
    removed = JournalEntry.objects.get(seq=before + 2)
    assert removed.payload["member"] == "carol"
    assert removed.payload["role"] == "steward"
    assert removed.payload["authority"] == "left the community"


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
    assert entry.payload["authority"] == "steward"
    assert not selectors.is_member(alice)

    services.reinstate_member(member=alice, actor=carol, reason="Apologised to everyone")

    assert Membership.objects.get(member=alice).status == Membership.Status.MEMBER
    entry = JournalEntry.objects.order_by("-seq").first()
    assert (entry.kind, entry.actor) == ("member.reinstated", "carol")
    assert entry.payload["reason"] == "Apologised to everyone"


def test_role_granted_to_a_non_member_is_refused_and_nothing_changes(community):
    """Appointed by a vote while a member, gone by the time the role is granted."""
    hopeful = make_member("hopeful")
    appointment = pass_proposal(
        community["alice"],
        list(community.values()),
        kind="appointment",
        appointments=[{"member": "hopeful", "role": "steward", "action": "grant"}],
        enact=False,
    )
    assert appointment.state == "passed"
    services.leave_community(member=hopeful)
    before = journal_length()

    with pytest.raises(NotAMember):
        services.grant_role(
            member=hopeful, role=Role.STEWARD, reason="vote #3", proposal=appointment
        )

    assert not RoleAssignment.objects.filter(member=hopeful).exists()
    assert not hopeful.groups.exists()
    assert journal_length() == before


def test_role_grant_and_removal_are_journaled(community):
    alice = community["alice"]
    voters = list(community.values())
    before = journal_length()

    granting = pass_proposal(
        alice,
        voters,
        kind="appointment",
        appointments=[{"member": "alice", "role": "auditor", "action": "grant"}],
    )
    assert selectors.has_role(alice, Role.AUDITOR)
    removing = pass_proposal(
        alice,
        voters,
        kind="appointment",
        appointments=[{"member": "alice", "role": "auditor", "action": "remove"}],
    )

    appointed, removed = JournalEntry.objects.filter(
        seq__gt=before, kind__in=["role.appointed", "role.removed"]
    ).order_by("seq")
    assert appointed.kind == "role.appointed"
    assert appointed.payload == {
        "member": "alice",
        "role": "auditor",
        "reason": f"appointed by proposal #{granting.pk}",
        "authority": "proposal",
        "proposal": granting.pk,
    }
    assert removed.kind == "role.removed"
    assert removed.payload == {
        "member": "alice",
        "role": "auditor",
        "reason": f"removed by proposal #{removing.pk}",
        "authority": "proposal",
        "proposal": removing.pk,
    }
    assert not selectors.has_role(alice, Role.AUDITOR)
    history = RoleAssignment.objects.get(member=alice, role=Role.AUDITOR)
    assert history.revoked_at is not None  # kept as history, never deleted
    assert (history.granted_by_proposal, history.revoked_by_proposal) == (granting, removing)
