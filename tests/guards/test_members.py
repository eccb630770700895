"""Red team: memberships, standing changes and role assignments attacked
through the application's own connection."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import timezone

from governance.models import JournalEntry
from members import services
from members.models import Member, Membership, RoleAssignment, StandingChange
from proposals import services as proposal_services
from tests.factories import make_member
from tests.guards.helpers import DAY, announce, db_time, held, raw, rows
from tests.proposals.helpers import draft

FOLLOWS = "membership guard: standing changes only together with the standing change"
APPLICANT = "membership guard: a person starts as an applicant, now"
CHANGE_NOW = "membership guard: a change of standing is written now"
CHANGE_LEGAL = "membership guard: after the founding act, a change of standing comes from"
ROLE_BY_APPOINTMENT = "role guard: after the founding act, a role is granted only by an enacted"
ROLE_REWRITTEN = "role guard: a role assignment is never rewritten; it can only end"
ROLE_END = "role guard: a role ends now, with a reason, by an enacted removal"


@pytest.fixture
def dan(community):
    """A member admitted ten days ago (not yet on any roll)."""
    return make_member("dan", admitted_days_ago=10)


def standing(member):
    return rows(Membership, member=member), rows(StandingChange, member=member)


# --- memberships ---------------------------------------------------------------------------------


def test_a_member_cannot_be_created_in_good_standing(community, refused):
    sock = Member.objects.create(username="sock", email="sock@example.org")
    long_ago = timezone.now() - 400 * DAY
    with refused(APPLICANT):
        Membership.objects.create(
            member=sock, status="member", applied_at=long_ago, admitted_at=long_ago
        )
    with refused(APPLICANT):
        Membership.objects.bulk_create(
            [Membership(member=sock, status="member", applied_at=long_ago, admitted_at=long_ago)]
        )
    with refused(APPLICANT):  # even as an applicant, not without the application on record
        Membership.objects.create(member=sock, applied_at=timezone.now())
    with refused(APPLICANT):
        raw(
            "INSERT INTO members_membership (member_id, status, applied_at, admitted_at, "
            "suspension_reason) VALUES (%s, 'member', %s, %s, '')",
            [sock.pk, db_time(long_ago), db_time(long_ago)],
        )
    assert not Membership.objects.filter(member=sock).exists()


def test_a_member_cannot_be_admitted_in_the_orm_without_the_journal(community, refused):
    """Once got through (both databases, medium). Under open admission the four rows the
    service writes — applied, applicant, admitted, member — are accepted
    from the ORM without the journal entries the service writes with them
    ("member.admitted"): the journal, from which every roll is rebuilt, does
    not know this member, who will be on every roll 30 days from now."""
    journal = rows(JournalEntry)
    sock = Member.objects.create(username="sock", email="sock@example.org")
    with refused("membership guard"):
        now = timezone.now()
        StandingChange.objects.create(
            member=sock, action="applied", authority="self", actor=sock, at=now
        )
        membership = Membership.objects.create(member=sock, applied_at=now)
        change = StandingChange.objects.create(
            member=sock, action="admitted", authority="self", actor=sock, at=now
        )
        Membership.objects.filter(pk=membership.pk).update(status="member", admitted_at=change.at)
    assert not Membership.objects.filter(member=sock).exists()
    assert rows(JournalEntry) == journal


def test_admission_cannot_be_backdated(dan, refused):
    before = standing(dan)
    long_ago = timezone.now() - 400 * DAY
    with refused(FOLLOWS):
        Membership.objects.filter(member=dan).update(admitted_at=long_ago)
    membership = Membership.objects.get(member=dan)
    membership.admitted_at = long_ago
    with refused(FOLLOWS):
        membership.save()
    with refused(FOLLOWS):
        Membership.objects.bulk_update([membership], ["admitted_at"])
    with refused(FOLLOWS):
        raw(
            "UPDATE members_membership SET admitted_at = %s WHERE member_id = %s",
            [db_time(long_ago), dan.pk],
        )
    with refused(CHANGE_NOW):  # a backdated record to justify it
        StandingChange.objects.create(
            member=dan, action="admitted", authority="self", actor=dan, at=long_ago
        )
    with refused("membership guard: a membership belongs to one person for good"):
        Membership.objects.filter(member=dan).update(applied_at=long_ago)
    assert standing(dan) == before


def test_a_stale_standing_change_cannot_be_applied_later(community, attempt, refused):
    """Once got through (both databases, low). The membership follows "the latest standing
    change", however old: an admission recorded 40 days ago and left
    unapplied (the membership still says applicant) can be applied today,
    giving 40 days of tenure to someone who was an applicant until now. The
    services write the change and the membership in one transaction; the
    guard does not ask that the change be the one written now."""
    ivy = make_member("ivy", status="applicant", admitted_days_ago=60)
    with time_machine.travel(timezone.now() - 40 * DAY, tick=False), attempt():
        stale = StandingChange.objects.create(
            member=ivy, action="admitted", authority="self", actor=ivy, at=timezone.now()
        )
    before = rows(Membership, member=ivy)
    with refused(FOLLOWS):
        Membership.objects.filter(member=ivy).update(status="member", admitted_at=stale.at)
    assert rows(Membership, member=ivy) == before


def test_standing_changes_only_with_its_record(dan, community, refused):
    before = standing(dan)
    for change in (
        {"status": "suspended", "suspended_at": timezone.now(), "suspension_reason": "Because."},
        {"status": "left", "left_at": timezone.now()},
        {"status": "applicant"},
    ):
        with refused(FOLLOWS):
            Membership.objects.filter(member=dan).update(**change)
    assert standing(dan) == before

    services.suspend_member(member=dan, actor=community["carol"], reason="Spam.")
    before = standing(dan)
    with refused(FOLLOWS):  # reinstated silently
        Membership.objects.filter(member=dan).update(
            status="member", suspended_at=None, suspension_reason=""
        )
    with refused(FOLLOWS):  # the public reason rewritten
        Membership.objects.filter(member=dan).update(suspension_reason="Nothing.")
    assert standing(dan) == before


def test_standing_changes_need_the_authority_the_bylaws_give(dan, community, refused):
    alice, carol = community["alice"], community["carol"]
    before = standing(dan)
    now = timezone.now()

    def change(**fields):
        StandingChange.objects.create(member=dan, at=now, **fields)

    with refused(CHANGE_LEGAL):  # a founder is no steward
        change(action="suspended", authority="steward", actor=alice, reason="Disagrees.")
    with refused(CHANGE_LEGAL):  # a steward must say why
        change(action="suspended", authority="steward", actor=carol, reason=" ")
    with refused(CHANGE_LEGAL):  # nobody suspends someone "on their own authority"
        change(action="suspended", authority="self", actor=dan, reason="Self.")
    with refused(CHANGE_LEGAL):  # nor is the steward the person
        StandingChange.objects.create(
            member=carol, action="suspended", authority="steward", actor=carol, at=now, reason="x"
        )
    with refused(CHANGE_LEGAL):  # a member is not admitted twice
        change(action="admitted", authority="self", actor=dan)
    with refused(CHANGE_LEGAL):  # under open admission, stewards do not admit
        ivy = make_member("ivy", status="applicant")
        StandingChange.objects.create(
            member=ivy, action="admitted", authority="steward", actor=carol, at=now
        )
    assert standing(dan) == before


def test_the_record_of_standing_is_append_only(dan, refused):
    before = standing(dan)
    record = StandingChange.objects.filter(member=dan, action="admitted").get()
    append_only = "membership guard: the record of standing is append-only"
    with refused(append_only):
        StandingChange.objects.filter(pk=record.pk).update(at=timezone.now() - 400 * DAY)
    with refused(append_only):
        StandingChange.objects.filter(pk=record.pk).delete()
    with refused(append_only):
        raw("DELETE FROM members_standingchange WHERE member_id = %s", [dan.pk])
    with refused("membership guard: a membership is never deleted; people leave"):
        Membership.objects.filter(member=dan).delete()
    with refused("membership guard: a membership is never deleted; people leave"):
        raw("DELETE FROM members_membership WHERE member_id = %s", [dan.pk])
    assert standing(dan) == before


# --- roles ---------------------------------------------------------------------------------------


def test_nobody_appoints_themself(community, refused):
    alice = community["alice"]
    roles = rows(RoleAssignment)

    def grant(**fields):
        values = {
            "member": alice,
            "role": "treasurer",
            "granted_at": timezone.now(),
            "grant_reason": "I run the server.",
        }
        values.update(fields)
        return RoleAssignment(**values)

    with refused(ROLE_BY_APPOINTMENT):
        grant().save()
    with refused(ROLE_BY_APPOINTMENT):
        RoleAssignment.objects.bulk_create([grant(role="steward"), grant(role="auditor")])
    with refused(ROLE_BY_APPOINTMENT):
        grant(granted_by=community["carol"]).save()
    with refused(ROLE_BY_APPOINTMENT):
        raw(
            "INSERT INTO members_roleassignment (member_id, role, granted_at, grant_reason, "
            "revoke_reason) VALUES (%s, 'treasurer', %s, 'raw', '')",
            [alice.pk, db_time(timezone.now())],
        )
    assert rows(RoleAssignment) == roles


def test_a_role_is_granted_only_as_the_appointment_says(community, refused):
    voters = list(community.values())
    eve = make_member("eve")
    appointment = held(
        draft(
            eve,
            kind="appointment",
            appointments=[{"member": "eve", "role": "auditor", "action": "grant"}],
        ),
        yes=voters,
        closed_ago=DAY,
    )
    assert appointment.state == "passed" and appointment.enactable_at > timezone.now()
    roles = rows(RoleAssignment)

    def grant(member, role, *, granted_at=None):
        announce("role.appointed", member=member.username, role=role, proposal=appointment.pk)
        RoleAssignment.objects.create(
            member=member,
            role=role,
            granted_at=granted_at or timezone.now(),
            granted_by_proposal=appointment,
            grant_reason="appointed",
        )

    named = "bylaw guard: a role is granted only by the enacted appointment it names"
    with refused(named):  # before its timelock is over
        grant(eve, "auditor")
    with time_machine.travel(appointment.enactable_at + DAY, tick=False):
        with refused(
            "role guard: after the founding act, a role is granted only by an enacted "
            "appointment, announced in the journal"
        ):
            RoleAssignment.objects.create(  # not announced
                member=eve,
                role="auditor",
                granted_at=timezone.now(),
                granted_by_proposal=appointment,
                grant_reason="appointed",
            )
        with refused(named):  # another person on eve's appointment
            grant(community["alice"], "auditor")
        with refused(named):  # another role
            grant(eve, "treasurer")
        with refused("role guard: a role is granted now"):
            grant(eve, "auditor", granted_at=timezone.now() - 30 * DAY)
    assert rows(RoleAssignment) == roles


def test_a_role_is_not_revoked_directly(community, refused):
    bob = community["bob"]
    motion = held(draft(community["alice"], title="Thank the treasurer"), yes=[bob])
    assert motion.state == "passed"
    roles = rows(RoleAssignment)
    treasurer = RoleAssignment.objects.get(member=bob, role="treasurer")
    with refused("role guard: the end of a role is announced in the journal"):
        RoleAssignment.objects.filter(pk=treasurer.pk).update(
            revoked_at=timezone.now(), revoke_reason="The founder said so."
        )

    def end(**values):
        announce("role.removed", member="bob", role="treasurer")
        RoleAssignment.objects.filter(pk=treasurer.pk).update(**values)

    with refused(ROLE_END):
        end(revoked_at=timezone.now(), revoke_reason="The founder said so.")
    treasurer.revoked_at, treasurer.revoke_reason = timezone.now(), "The founder said so."
    with refused(ROLE_END):
        announce("role.removed", member="bob", role="treasurer")
        treasurer.save()
    with refused(ROLE_END):  # without a reason
        end(revoked_at=timezone.now())
    with refused("bylaw guard: a role is removed only by the enacted appointment it names"):
        end(revoked_at=timezone.now(), revoke_reason="by vote", revoked_by_proposal=motion)
    with refused(ROLE_END):  # backdated
        end(revoked_at=timezone.now() - 30 * DAY, revoke_reason="long ago")
    assert rows(RoleAssignment) == roles


def test_a_role_assignment_is_never_rewritten_or_deleted(community, refused):
    bob = community["bob"]
    roles = rows(RoleAssignment)
    treasurer = RoleAssignment.objects.get(member=bob, role="treasurer")
    for change in (
        {"role": "steward"},
        {"member": community["alice"]},
        {"granted_at": timezone.now() - 400 * DAY},
        {"grant_reason": "Self-appointed."},
        {"revoked_by": community["alice"]},
    ):
        with refused(ROLE_REWRITTEN):
            RoleAssignment.objects.filter(pk=treasurer.pk).update(**change)
    with refused("role guard: role assignments are never deleted"):
        RoleAssignment.objects.filter(pk=treasurer.pk).delete()
    with refused("role guard: role assignments are never deleted"):
        raw("DELETE FROM members_roleassignment")
    assert rows(RoleAssignment) == roles

    # A role that ended stays ended.
    services.leave_community(member=bob)
    ended = RoleAssignment.objects.get(pk=treasurer.pk)
    assert ended.revoked_at is not None
    roles = rows(RoleAssignment)
    with refused(ROLE_REWRITTEN):
        RoleAssignment.objects.filter(pk=ended.pk).update(
            revoked_at=None, revoked_by=None, revoke_reason=""
        )
    assert rows(RoleAssignment) == roles


def test_an_old_appointment_cannot_be_replayed_over_a_later_removal(community, attempt, refused):
    """Once got through (both databases, medium; same root as the bylaw version replay).
    A role row citing a *passed* appointment is accepted as long as the
    proposal is not marked enacted, however often: the application grants
    eve the auditor role on appointment P without marking P enacted; a later
    vote Q removes her; the application then grants her the role again on P,
    undoing Q."""
    voters = list(community.values())
    eve = make_member("eve")
    appoint = held(
        draft(
            eve,
            kind="appointment",
            appointments=[{"member": "eve", "role": "auditor", "action": "grant"}],
        ),
        yes=voters,
        closed_ago=40 * DAY,
    )

    def grant():
        announce("role.appointed", member="eve", role="auditor", proposal=appoint.pk)
        RoleAssignment.objects.create(
            member=eve,
            role="auditor",
            granted_at=timezone.now(),
            granted_by_proposal=appoint,
            grant_reason=f"appointed by proposal #{appoint.pk}",
        )

    with time_machine.travel(appoint.enactable_at + DAY, tick=False), attempt():
        grant()  # P's grant written, P left "passed"
    remove = held(
        draft(
            community["alice"],
            kind="appointment",
            appointments=[{"member": "eve", "role": "auditor", "action": "remove"}],
        ),
        yes=voters,
    )
    proposal_services.enact_proposal(proposal_id=remove.pk)
    assert not RoleAssignment.objects.filter(member=eve, revoked_at__isnull=True).exists()
    roles = rows(RoleAssignment)
    with refused("bylaw guard"):
        grant()
    assert rows(RoleAssignment) == roles
