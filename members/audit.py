"""What the audit recomputes for members: every standing and every role,
from the journal alone.

The genesis entry names everyone admitted before the founding act, the
founders and the first role holders; after it, every admission, suspension,
reinstatement and departure, and every role granted or removed, is a journal
entry. Replaying them gives each person's standing and roles now, which must
be what the database holds. `standings` is also how the proposals audit
rebuilds each vote's roll.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from governance.audit import genesis_payload, journal_events
from kernel.audit import Audit, check
from members.models import Member, Membership, RoleAssignment
from members.roles import Role

MEMBER_EVENTS = ("member.admitted", "member.suspended", "member.reinstated", "member.left")
ROLE_EVENTS = ("role.appointed", "role.removed")


@dataclass
class Standings:
    """Standing by username, replayed in journal order. ``admitted`` keeps
    the admission times of members in good standing, sorted, so that "how
    many members had tenure at a given moment" is a bisection."""

    status: dict[str, str] = field(default_factory=dict)
    admitted_at: dict[str, str] = field(default_factory=dict)
    admitted: list[str] = field(default_factory=list)

    def _enter(self, username: str) -> None:
        bisect.insort(self.admitted, self.admitted_at[username])

    def _leave(self, username: str) -> None:
        if self.status.get(username) == Membership.Status.MEMBER:
            position = bisect.bisect_left(self.admitted, self.admitted_at[username])
            del self.admitted[position]

    def apply(self, kind: str, at: str, payload: dict) -> None:
        username = payload["member"]
        if kind == "member.admitted":
            self._leave(username)
            self.admitted_at[username] = payload.get("at", at)
            self.status[username] = Membership.Status.MEMBER
            self._enter(username)
        elif kind in ("member.suspended", "member.left"):
            self._leave(username)
            self.status[username] = (
                Membership.Status.SUSPENDED
                if kind == "member.suspended"
                else Membership.Status.LEFT
            )
        elif kind == "member.reinstated":
            self.status[username] = Membership.Status.MEMBER
            self._enter(username)

    def is_eligible(self, username: str, cutoff: str) -> bool:
        return (
            self.status.get(username) == Membership.Status.MEMBER
            and self.admitted_at[username] <= cutoff
        )

    def eligible_count(self, cutoff: str) -> int:
        return bisect.bisect_right(self.admitted, cutoff)


def founding_standings() -> Standings:
    standings = Standings()
    for entry in genesis_payload().get("members", []):
        standings.apply("member.admitted", entry["admitted_at"], entry)
    return standings


def replay_standings(on_entry=None) -> Standings:
    """Replay the journal's standing changes. ``on_entry(seq, kind, payload,
    standings)`` is called for every other entry on the way, with the
    standings as they were then (the proposals audit uses it for rolls)."""
    standings = founding_standings()
    kinds = MEMBER_EVENTS if on_entry is None else None
    entries = journal_events(*kinds) if kinds else _all_entries()
    for seq, at, kind, _actor, payload in entries:
        if kind in MEMBER_EVENTS:
            standings.apply(kind, at, payload)
        elif on_entry is not None:
            on_entry(seq, kind, payload, standings)
    return standings


def _all_entries():
    from governance.models import JournalEntry

    return (
        JournalEntry.objects.order_by("seq")
        .values_list("seq", "at", "kind", "actor", "payload")
        .iterator(chunk_size=2000)
    )


def _iso(moment) -> str:
    from kernel.chains import chain_timestamp

    return chain_timestamp(moment)


@check("standing")
def verify_standing(audit: Audit) -> None:
    standings = replay_standings()
    for username, status, admitted_at in Membership.objects.order_by(
        "member__username"
    ).values_list("member__username", "status", "admitted_at"):
        expected = standings.status.get(username, Membership.Status.APPLICANT)
        subject = f"member {username}"
        if status != expected and not (expected == "applicant" and status == "applicant"):
            audit.report(subject, f"is {status} in the database, {expected} by the journal")
            continue
        if status == Membership.Status.MEMBER and _iso(admitted_at) != standings.admitted_at.get(
            username
        ):
            audit.report(subject, "admission date differs from the journal's")
    known = set(Member.objects.filter(membership__isnull=False).values_list("username", flat=True))
    for username in sorted(set(standings.status) - known):
        audit.report(
            f"member {username}", "the journal admits them; the database has no membership"
        )


def journaled_roles() -> set[tuple[str, str]]:
    """(username, role) pairs the journal says are held now."""
    genesis = genesis_payload()
    held = {(name, Role.FOUNDER.value) for name in genesis.get("founders", [])}
    for role, holders in genesis.get("appointments", {}).items():
        held |= {(name, role) for name in holders}
    for _seq, _at, kind, _actor, payload in journal_events(*ROLE_EVENTS):
        pair = (payload["member"], payload["role"])
        if kind == "role.appointed":
            held.add(pair)
        else:
            held.discard(pair)
    return held


@check("roles")
def verify_roles(audit: Audit) -> None:
    in_database = set(
        RoleAssignment.objects.filter(revoked_at__isnull=True).values_list(
            "member__username", "role"
        )
    )
    journaled = journaled_roles()
    for username, role in sorted(in_database - journaled):
        audit.report(f"role {role} of {username}", "held in the database; the journal grants none")
    for username, role in sorted(journaled - in_database):
        audit.report(f"role {role} of {username}", "granted by the journal; not in the database")
    for assignment in RoleAssignment.objects.filter(
        granted_by_proposal__isnull=False
    ).select_related("member", "granted_by_proposal"):
        if not assignment.granted_by_proposal.appointments.filter(
            member=assignment.member, role=assignment.role, action="grant"
        ).exists():
            audit.report(
                f"role {assignment.role} of {assignment.member.username}",
                f"proposal #{assignment.granted_by_proposal_id} contains no such appointment",
            )
