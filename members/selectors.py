"""Reads about members, their standing and roles."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, FilteredRelation, Prefetch, Q, QuerySet

from members import exports
from members.models import Member, Membership, RoleAssignment
from members.roles import Role


def is_member(person) -> bool:
    """In good standing: may vote (subject to tenure) and post."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    return Membership.objects.filter(member=person, status=Membership.Status.MEMBER).exists()


def membership_of(person) -> Membership | None:
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return Membership.objects.filter(member=person).first()


def _powers(person):
    """Active role assignments that carry power: their holder is in good
    standing (a suspended steward moderates nothing until reinstated). The
    database guards ask the same question (`members.triggers.holds_role`)."""
    return RoleAssignment.objects.filter(
        member=person, revoked_at__isnull=True, member__membership__status=Membership.Status.MEMBER
    )


def has_role(person, role: str) -> bool:
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    return _powers(person).filter(role=role).exists()


def active_roles(person) -> list[str]:
    if person is None or not getattr(person, "is_authenticated", False):
        return []
    return list(_powers(person).order_by("role").values_list("role", flat=True))


def member_directory(*, query: str = "") -> QuerySet[Member]:
    members = Member.objects.filter(membership__status=Membership.Status.MEMBER).prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.filter(revoked_at__isnull=True),
            to_attr="active_role_assignments",
        )
    )
    if query:
        members = members.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return members.select_related("membership").order_by("username")


def export_member_data(*, member: Member) -> dict[str, Any]:
    """Everything Commons stores about one person, for them to download: what
    members store, and every section other apps registered (members/exports.py)."""
    membership = membership_of(member)
    data = {
        "account": {
            "username": member.username,
            "display_name": member.display_name,
            "email": member.email,
            "bio": member.bio,
            "date_joined": member.date_joined.isoformat(),
            "last_login": member.last_login.isoformat() if member.last_login else None,
        },
        "membership": None
        if membership is None
        else {
            "status": membership.status,
            "applied_at": membership.applied_at.isoformat(),
            "admitted_at": membership.admitted_at.isoformat() if membership.admitted_at else None,
            "suspended_at": membership.suspended_at.isoformat()
            if membership.suspended_at
            else None,
            "left_at": membership.left_at.isoformat() if membership.left_at else None,
        },
        "roles": [
            {
                "role": a.role,
                "granted_at": a.granted_at.isoformat(),
                "revoked_at": a.revoked_at.isoformat() if a.revoked_at else None,
                "reason": a.grant_reason,
            }
            for a in member.role_assignments.order_by("granted_at")
        ],
    }
    for section in exports.sections():
        data.update(section(member=member))
    return data


ROLE_LABELS = dict(Role.choices)


def member_profile(*, username: str) -> Member | None:
    """A person's public profile: standing and every role they held (two queries)."""
    return (
        Member.objects.select_related("membership")
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.order_by("granted_at", "pk"),
                to_attr="role_history",
            )
        )
        .filter(username=username)
        .first()
    )


def applicants() -> QuerySet[Membership]:
    """People waiting for admission, oldest application first."""
    return (
        Membership.objects.filter(status=Membership.Status.APPLICANT)
        .select_related("member")
        .order_by("applied_at", "pk")
    )


def membership_and_roles(person) -> tuple[Membership | None, list[str]]:
    """A person's membership and the roles that carry power, in one query
    (the dashboard's budget counts every query): the membership row joined
    to its unrevoked role assignments, one row per role. As in `_powers`,
    roles count only while the holder is in good standing."""
    if person is None or not getattr(person, "is_authenticated", False):
        return None, []
    rows = list(
        Membership.objects.filter(member=person)
        .annotate(
            held=FilteredRelation(
                "member__role_assignments",
                condition=Q(member__role_assignments__revoked_at__isnull=True),
            ),
            held_role=F("held__role"),
        )
        .order_by("held_role")
    )
    if not rows:
        return None, []
    membership = rows[0]
    if membership.status != Membership.Status.MEMBER:
        return membership, []
    return membership, sorted({row.held_role for row in rows if row.held_role})


def standing_summary(person, *, now: datetime, min_tenure_days: int) -> dict[str, Any]:
    """What a person should know about their own standing (dashboard, `me/`).

    `can_vote_from` is the first moment a vote opening may count them: tenure
    is measured when a vote opens (the electorate is frozen then).
    """
    membership, roles = membership_and_roles(person)
    summary: dict[str, Any] = {
        "status": membership.status if membership else None,
        "status_label": str(membership.get_status_display()) if membership else None,
        "is_member": bool(membership and membership.is_in_good_standing),
        "roles": roles,
        "applied_at": membership.applied_at if membership else None,
        "admitted_at": membership.admitted_at if membership else None,
        "suspended_at": membership.suspended_at if membership else None,
        "suspension_reason": membership.suspension_reason if membership else "",
        "left_at": membership.left_at if membership else None,
        "tenure_days": None,
        "can_vote_from": None,
        "has_voting_tenure": False,
        "min_tenure_days": min_tenure_days,
    }
    if membership and membership.is_in_good_standing and membership.admitted_at:
        summary["tenure_days"] = (now - membership.admitted_at).days
        can_vote_from = membership.admitted_at + timedelta(days=min_tenure_days)
        summary["can_vote_from"] = can_vote_from
        summary["has_voting_tenure"] = can_vote_from <= now
    return summary
