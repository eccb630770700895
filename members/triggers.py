"""Guards on standing and roles.

After the founding act (once the journal has its first entry):

- A membership changes only together with the standing change that
  authorizes it, written in the same transaction: the person's own (signing
  up, confirming their email under open admission, leaving) or a steward's
  (admission by approval, suspension and reinstatement with a public reason).
  Dates are written now: nobody backdates an admission onto a roll.
- Standing changes are append-only, and each is legal for the standing it
  changes. An application made by signing up records the bylaws the person
  accepted: only those in force at that moment.
- A role is granted by an enacted appointment (`proposals/triggers.py` checks
  the proposal), never by a person; it ends by an enacted removal or when its
  holder leaves. Role assignments are never deleted.

`holds_role` and `in_good_standing` are the SQL every other guard uses to ask
whether someone may act: an active role *and* good standing.
"""

from __future__ import annotations

from collections.abc import Iterable

from governance.selectors import BYLAW_CHANGES
from governance.triggers import FOUNDED, current_rule
from kernel.guards import Dialect, Guard, Rule, TriggerSet, literal
from members.models import StandingChange
from members.roles import Role

A = StandingChange.Action
AUTH = StandingChange.Authority


def in_good_standing(person: str) -> str:
    """SQL: the member whose id is ``person`` is a member in good standing."""
    return (
        f"EXISTS (SELECT 1 FROM members_membership gs WHERE gs.member_id = {person} "
        "AND gs.status = 'member')"
    )


def holds_role(person: str, roles: Iterable[str]) -> str:
    """SQL: ``person`` holds one of ``roles`` now, and is in good standing."""
    names = ", ".join(f"'{Role(role).value}'" for role in roles)
    return (
        "EXISTS (SELECT 1 FROM members_roleassignment hr "
        "JOIN members_membership hm ON hm.member_id = hr.member_id "
        f"WHERE hr.member_id = {person} AND hr.role IN ({names}) "
        "AND hr.revoked_at IS NULL AND hm.status = 'member')"
    )


_LATEST = (
    "(SELECT sc.{} FROM members_standingchange sc WHERE sc.member_id = NEW.member_id "
    "ORDER BY sc.id DESC LIMIT 1)"
)


def _latest(column: str) -> str:
    return _LATEST.format(column)


def journal_announces(d: Dialect, kind: str, *facts: tuple[str, str]) -> str:
    """SQL: the journal's newest entry is of ``kind`` (an SQL expression) and
    its payload holds each (key, SQL value) fact. A change that carries power
    is written right after the entry that announces it, in one transaction,
    while the chain head is locked: so it is public as soon as it exists."""
    head = (
        "(SELECT jh.{} FROM governance_journalentry jh "
        "WHERE jh.seq = (SELECT MAX(jm.seq) FROM governance_journalentry jm))"
    )
    conditions = [f"{head.format('kind')} = {kind}"]
    for key, value in facts:
        fact = d.json_text(head.format("payload"), key)
        conditions.append(f"CAST({fact} AS TEXT) = CAST({value} AS TEXT)")
    return "(" + " AND ".join(conditions) + ")"


def _membership_follows_change(d: Dialect) -> str:
    """NEW is OLD with the latest standing change applied, exactly."""
    same = lambda *cols: " AND ".join(f"NOT {d.distinct(f'NEW.{c}', f'OLD.{c}')}" for c in cols)  # noqa: E731
    action = _latest("action")
    return f"""(
      ({action} = '{A.ADMITTED}' AND OLD.status IN ('applicant', 'left')
        AND NEW.status = 'member' AND NEW.admitted_at = {_latest("at")}
        AND NEW.left_at IS NULL AND NEW.suspended_at IS NULL AND NEW.suspension_reason = '')
      OR ({action} = '{A.SUSPENDED}' AND OLD.status = 'member' AND NEW.status = 'suspended'
        AND NEW.suspended_at = {_latest("at")} AND NEW.suspension_reason = {_latest("reason")}
        AND {same("admitted_at", "left_at")})
      OR ({action} = '{A.REINSTATED}' AND OLD.status = 'suspended' AND NEW.status = 'member'
        AND NEW.suspended_at IS NULL AND NEW.suspension_reason = ''
        AND {same("admitted_at", "left_at")})
      OR ({action} = '{A.LEFT}' AND OLD.status <> 'left' AND NEW.status = 'left'
        AND NEW.left_at = {_latest("at")}
        AND {same("admitted_at", "suspended_at", "suspension_reason")})
    )"""


def _change_is_legal(d: Dialect) -> str:
    """The new standing change fits the person's standing, its authority and the rules."""
    status = "(SELECT ms.status FROM members_membership ms WHERE ms.member_id = NEW.member_id)"
    admission = current_rule(d, "admission")
    return f"""(
      (NEW.authority = '{AUTH.SELF}' AND NEW.actor_id = NEW.member_id AND (
        (NEW.action = '{A.APPLIED}' AND {status} IS NULL)
        OR (NEW.action = '{A.ADMITTED}' AND {status} IN ('applicant', 'left')
            AND {admission} = 'open')
        OR (NEW.action = '{A.LEFT}' AND {status} IN ('applicant', 'member', 'suspended'))))
      OR (NEW.authority = '{AUTH.STEWARD}' AND NEW.actor_id <> NEW.member_id
        AND {holds_role("NEW.actor_id", [Role.STEWARD])} AND (
        (NEW.action = '{A.ADMITTED}' AND {status} IN ('applicant', 'left')
            AND {admission} = 'approval')
        OR (NEW.action = '{A.SUSPENDED}' AND {status} = 'member' AND TRIM(NEW.reason) <> '')
        OR (NEW.action = '{A.REINSTATED}' AND {status} = 'suspended'
            AND TRIM(NEW.reason) <> '')))
    )"""


USERNAME = "(SELECT un.username FROM members_member un WHERE un.id = NEW.member_id)"

# SQL: the journal entry that put the bylaws in force as they are now
# (`governance.selectors.bylaws_entry`).
BYLAWS_ENTRY = (
    "(SELECT COALESCE(MAX(bj.seq), 0) FROM governance_journalentry bj "
    f"WHERE bj.kind IN ({', '.join(literal(kind) for kind in BYLAW_CHANGES)}))"
)

STANDING_COLUMNS = ("status", "admitted_at", "suspended_at", "suspension_reason", "left_at")
ROLE_GRANT_COLUMNS = (
    "member_id",
    "role",
    "granted_at",
    "granted_by_id",
    "grant_reason",
    "granted_by_proposal_id",
)


def guards() -> TriggerSet:
    return TriggerSet(
        guards=(
            Guard(
                "members_standingchange",
                "INSERT",
                (
                    Rule(
                        "membership guard: a change of standing is written now",
                        lambda d: f"{FOUNDED} AND {d.not_now('NEW.at')}",
                    ),
                    Rule(
                        "membership guard: after the founding act, a change of standing comes "
                        "from the person or from a steward, as the bylaws allow",
                        lambda d: f"{FOUNDED} AND NOT {_change_is_legal(d)}",
                    ),
                    Rule(
                        "membership guard: an application records the bylaws in force when it "
                        "is made, and nothing else does",
                        lambda d: (
                            "NEW.accepted_bylaws_entry IS NOT NULL AND "
                            f"(NEW.action <> '{A.APPLIED}' "
                            f"OR NEW.accepted_bylaws_entry <> {BYLAWS_ENTRY})"
                        ),
                    ),
                ),
            ),
            Guard(
                "members_membership",
                "INSERT",
                (
                    Rule(
                        "membership guard: a person starts as an applicant, now, with their "
                        "application on record",
                        lambda d: (
                            f"{FOUNDED} AND (NEW.status <> 'applicant' "
                            "OR NEW.admitted_at IS NOT NULL OR NEW.suspended_at IS NOT NULL "
                            f"OR NEW.left_at IS NOT NULL OR {d.not_now('NEW.applied_at')} "
                            f"OR {d.distinct(_latest('action'), literal(A.APPLIED))})"
                        ),
                    ),
                ),
            ),
            Guard(
                "members_membership",
                "UPDATE",
                (
                    Rule(
                        "membership guard: a membership belongs to one person for good",
                        lambda d: d.any_distinct(["member_id", "applied_at"]),
                    ),
                    Rule(
                        "membership guard: standing changes only together with the standing "
                        "change that authorizes it, written now and announced in the journal",
                        lambda d: (
                            f"{FOUNDED} AND {d.any_distinct(STANDING_COLUMNS)} "
                            f"AND NOT ({_membership_follows_change(d)} "
                            f"AND NOT {d.not_now(_latest('at'))} "
                            "AND "
                            + journal_announces(
                                d, "'member.' || " + _latest("action"), ("change", _latest("id"))
                            )
                            + ")"
                        ),
                    ),
                ),
            ),
            Guard(
                "members_roleassignment",
                "INSERT",
                (
                    Rule(
                        "role guard: after the founding act, a role is granted only by an "
                        "enacted appointment, announced in the journal",
                        lambda d: (
                            f"{FOUNDED} AND (NEW.granted_by_proposal_id IS NULL OR NOT "
                            + journal_announces(
                                d,
                                "'role.appointed'",
                                ("member", USERNAME),
                                ("role", "NEW.role"),
                                ("proposal", "NEW.granted_by_proposal_id"),
                            )
                            + ")"
                        ),
                    ),
                    Rule(
                        "role guard: a role is granted now, to a member in good standing, "
                        "and not already ended",
                        lambda d: (
                            f"({FOUNDED} AND {d.not_now('NEW.granted_at')}) "
                            f"OR NOT {in_good_standing('NEW.member_id')} "
                            "OR NEW.revoked_at IS NOT NULL OR NEW.revoked_by_id IS NOT NULL "
                            "OR NEW.revoked_by_proposal_id IS NOT NULL OR NEW.revoke_reason <> ''"
                        ),
                    ),
                ),
            ),
            Guard(
                "members_roleassignment",
                "UPDATE",
                (
                    Rule(
                        "role guard: a role assignment is never rewritten; it can only end",
                        lambda d: (
                            f"{d.any_distinct(ROLE_GRANT_COLUMNS)} "
                            "OR OLD.revoked_at IS NOT NULL "
                            "OR (NEW.revoked_at IS NULL AND (NEW.revoked_by_id IS NOT NULL "
                            "OR NEW.revoked_by_proposal_id IS NOT NULL OR NEW.revoke_reason <> ''))"
                        ),
                    ),
                    Rule(
                        "role guard: the end of a role is announced in the journal",
                        lambda d: (
                            "NEW.revoked_at IS NOT NULL AND NOT "
                            + journal_announces(
                                d, "'role.removed'", ("member", USERNAME), ("role", "NEW.role")
                            )
                        ),
                    ),
                    Rule(
                        "role guard: a role ends now, with a reason, by an enacted removal or "
                        "because its holder left",
                        lambda d: (
                            f"NEW.revoked_at IS NOT NULL AND ({d.not_now('NEW.revoked_at')} "
                            "OR TRIM(NEW.revoke_reason) = '' "
                            "OR (NEW.revoked_by_proposal_id IS NULL "
                            "AND NOT EXISTS (SELECT 1 FROM members_membership lm "
                            "WHERE lm.member_id = NEW.member_id AND lm.status = 'left')))"
                        ),
                    ),
                ),
            ),
        ),
        append_only={
            "members_standingchange": "membership guard: the record of standing is append-only",
        },
        no_delete={
            "members_membership": "membership guard: a membership is never deleted; people leave",
            "members_roleassignment": "role guard: role assignments are never deleted",
        },
    )
