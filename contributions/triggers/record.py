"""Guards of the marketplace and the contribution record: needs, offers and
logged hours (messages start with "contributions guard:")."""

from __future__ import annotations

from contributions.models import MINUTES_PER_DAY, Contribution, Need
from contributions.triggers.rules import (
    ACCEPTED,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    DONE,
    FILLED,
    LOGGED,
    MSG_CONFIRMED_POSTED,
    MSG_DAY,
    MSG_HOURS_FROZEN,
    MSG_LOGGED,
    MSG_NEED_AUTHORITY,
    MSG_NEED_EDGE,
    MSG_NEED_FILLED,
    MSG_NEED_FROZEN,
    MSG_NEED_POSTED,
    MSG_NEED_REQUEST,
    MSG_OFFER_ANSWER,
    MSG_OFFER_ASKED,
    MSG_OFFER_FROZEN,
    MSG_OFFER_MADE,
    MSG_STEP,
    OPEN,
    PENDING,
    POSTED,
    REFUSED,
    REQUESTED,
    STEWARD,
    TREASURER,
    UNDER_REVIEW,
    UPHELD,
    WITHDRAWN,
    beneficiary,
    holds_named_role,
)
from kernel.guards import Dialect, Guard, Rule
from members.triggers import in_good_standing
from proposals.models import State


def _columns(model, *, except_: tuple[str, ...]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column not in except_]


def _need_guards() -> list[Guard]:
    enacted = f"'{State.ENACTED.value}'"
    return [
        Guard(
            "contributions_need",
            "INSERT",
            (
                Rule(
                    MSG_NEED_POSTED,
                    lambda d: (
                        f"NEW.state <> {OPEN} OR {d.not_now('NEW.created_at')} "
                        f"OR {d.distinct('NEW.changed_at', 'NEW.created_at')} "
                        f"OR NOT {in_good_standing('NEW.posted_by_id')}"
                    ),
                ),
                Rule(
                    MSG_NEED_AUTHORITY,
                    "NEW.is_community AND (NOT "
                    f"{holds_named_role('NEW.posted_by_id', 'NEW.beneficiary_role')} "
                    "OR (NEW.proposal_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                    "proposals_proposal np WHERE np.id = NEW.proposal_id "
                    f"AND np.state = {enacted}))"
                    " OR (NEW.budget_line_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                    "treasury_budgetline nl WHERE nl.id = NEW.budget_line_id)) "
                    f"OR (NEW.hourly_pay_cents > 0 AND NEW.beneficiary_role <> {TREASURER}))",
                ),
                Rule(
                    MSG_NEED_REQUEST,
                    "NEW.standing_offer_id IS NOT NULL AND (NEW.is_community OR NOT EXISTS "
                    "(SELECT 1 FROM contributions_standingoffer so WHERE so.id = "
                    "NEW.standing_offer_id AND so.member_id <> NEW.posted_by_id AND so.is_active))",
                ),
            ),
        ),
        Guard(
            "contributions_need",
            "UPDATE",
            (
                Rule(
                    MSG_NEED_FROZEN,
                    lambda d: (
                        f"OLD.state IN ({DONE}, {CANCELLED}) OR "
                        + d.any_distinct(_columns(Need, except_=("state", "changed_at")))
                        + f" OR ({d.distinct('NEW.state', 'OLD.state')} "
                        f"AND {d.not_now('NEW.changed_at')})"
                    ),
                ),
                Rule(
                    MSG_NEED_EDGE,
                    f"NEW.state <> OLD.state AND NOT ((OLD.state = {OPEN} AND NEW.state IN "
                    f"({FILLED}, {DONE}, {CANCELLED})) OR (OLD.state = {FILLED} AND NEW.state IN "
                    f"({DONE}, {CANCELLED})))",
                ),
                Rule(
                    MSG_NEED_FILLED,
                    f"NEW.state = {FILLED} AND OLD.state <> {FILLED} AND (SELECT COUNT(*) FROM "
                    f"contributions_offer fo WHERE fo.need_id = NEW.id AND fo.state = {ACCEPTED}) "
                    "< NEW.people_needed",
                ),
            ),
        ),
    ]


def _offer_guards() -> list[Guard]:
    need = "(SELECT {} FROM contributions_need otn WHERE otn.id = NEW.need_id)"
    answered = f"NEW.state <> OLD.state AND NEW.state IN ({ACCEPTED}, {DECLINED})"

    def answer(d: Dialect) -> str:
        by_beneficiary = (
            f"(OLD.state = {PENDING} AND NEW.decided_by_id <> NEW.member_id "
            f"AND {beneficiary('NEW.decided_by_id', 'NEW.need_id')})"
        )
        by_giver = (
            f"(OLD.state = {REQUESTED} AND NEW.decided_by_id = NEW.member_id "
            f"AND {in_good_standing('NEW.decided_by_id')})"
        )
        withdrawn = (
            f"(NEW.state = {WITHDRAWN} AND OLD.state IN ({PENDING}, {REQUESTED}) "
            "AND NEW.decided_by_id = NEW.member_id)"
        )
        return (
            f"OLD.state NOT IN ({PENDING}, {REQUESTED}) "
            f"OR (NEW.state = OLD.state AND {d.any_distinct(['decided_at', 'decided_by_id'])}) "
            f"OR (NEW.state <> OLD.state AND ({d.not_now('NEW.decided_at')} "
            "OR NEW.decided_by_id IS NULL "
            f"OR NOT ({withdrawn} OR ({answered} AND ({by_beneficiary} OR {by_giver}))) "
            f"OR (NEW.state = {ACCEPTED} AND {need.format('otn.state')} <> {OPEN})))"
        )

    return [
        Guard(
            "contributions_offer",
            "INSERT",
            (
                Rule(
                    MSG_OFFER_MADE,
                    lambda d: (
                        f"NEW.state NOT IN ({PENDING}, {REQUESTED}) "
                        f"OR {d.not_now('NEW.created_at')} "
                        "OR NEW.decided_at IS NOT NULL OR NEW.decided_by_id IS NOT NULL "
                        f"OR NOT {in_good_standing('NEW.member_id')} "
                        f"OR {need.format('otn.posted_by_id')} = NEW.member_id "
                        f"OR {need.format('otn.state')} <> {OPEN}"
                    ),
                ),
                Rule(
                    MSG_OFFER_ASKED,
                    f"NEW.state = {REQUESTED} AND NOT EXISTS (SELECT 1 FROM contributions_need "
                    "rn JOIN contributions_standingoffer rs ON rs.id = rn.standing_offer_id "
                    "WHERE rn.id = NEW.need_id AND rs.member_id = NEW.member_id)",
                ),
            ),
        ),
        Guard(
            "contributions_offer",
            "UPDATE",
            (
                Rule(
                    MSG_OFFER_FROZEN,
                    lambda d: d.any_distinct(["need_id", "member_id", "message", "created_at"]),
                ),
                Rule(MSG_OFFER_ANSWER, answer),
            ),
        ),
    ]


_DECISION = [
    "confirmed_by_id",
    "confirmed_at",
    "refused_by_id",
    "refused_at",
    "refusal_reason",
    "review_requested_at",
    "reviewed_by_id",
    "reviewed_at",
    "review_reason",
]


def _steps(d: Dialect) -> str:
    """The contribution's step from OLD to NEW is one of the record's."""

    def same(*cols: str) -> str:
        return "(" + " AND ".join(f"NOT {d.distinct(f'NEW.{c}', f'OLD.{c}')}" for c in cols) + ")"

    def unset(*cols: str) -> str:
        return "(" + " AND ".join(f"NEW.{c} IS NULL" for c in cols) + ")"

    steward = holds_named_role("NEW.reviewed_by_id", STEWARD)
    refuse = (
        f"(OLD.state = {LOGGED} AND NEW.state = {REFUSED} "
        f"AND {unset('confirmed_by_id', 'confirmed_at', 'review_requested_at', 'reviewed_by_id', 'reviewed_at')} "  # noqa: E501
        "AND NEW.refused_by_id <> NEW.contributor_id "
        f"AND {beneficiary('NEW.refused_by_id', 'NEW.need_id')} "
        f"AND TRIM(NEW.refusal_reason) <> '' AND NOT {d.not_now('NEW.refused_at')})"
    )
    confirm = (
        f"(OLD.state = {LOGGED} AND NEW.state = {CONFIRMED} "
        f"AND {unset('refused_by_id', 'refused_at', 'review_requested_at', 'reviewed_by_id', 'reviewed_at')} "  # noqa: E501
        "AND NEW.confirmed_by_id <> NEW.contributor_id "
        f"AND {beneficiary('NEW.confirmed_by_id', 'NEW.need_id')} "
        f"AND NOT {d.not_now('NEW.confirmed_at')})"
    )
    ask = (
        f"(OLD.state = {REFUSED} AND NEW.state = {UNDER_REVIEW} "
        f"AND {same(*[c for c in _DECISION if c != 'review_requested_at'])} "
        f"AND NOT {d.not_now('NEW.review_requested_at')})"
    )
    reviewed = (
        f"{same('refused_by_id', 'refused_at', 'refusal_reason', 'review_requested_at')} "
        "AND NEW.reviewed_by_id <> NEW.contributor_id AND NEW.reviewed_by_id <> NEW.refused_by_id "
        f"AND {steward} AND NOT {d.not_now('NEW.reviewed_at')}"
    )
    overturn = (
        f"(OLD.state = {UNDER_REVIEW} AND NEW.state = {CONFIRMED} AND {reviewed} "
        "AND NEW.confirmed_by_id = NEW.reviewed_by_id "
        f"AND NOT {d.distinct('NEW.confirmed_at', 'NEW.reviewed_at')})"
    )
    uphold = (
        f"(OLD.state = {UNDER_REVIEW} AND NEW.state = {UPHELD} AND {reviewed} "
        f"AND {unset('confirmed_by_id', 'confirmed_at')} AND TRIM(NEW.review_reason) <> '')"
    )
    unchanged = f"(NEW.state = OLD.state AND {same(*_DECISION)})"
    return f"NOT ({unchanged} OR {refuse} OR {confirm} OR {ask} OR {overturn} OR {uphold})"


def _contribution_guards() -> list[Guard]:
    counted = f"{LOGGED}, {CONFIRMED}, {UNDER_REVIEW}"
    return [
        Guard(
            "contributions_contribution",
            "INSERT",
            (
                Rule(
                    MSG_LOGGED,
                    lambda d: (
                        f"NEW.state <> {LOGGED} OR {d.not_now('NEW.logged_at')} OR "
                        + " OR ".join(f"NEW.{c} IS NOT NULL" for c in _DECISION if "_by" in c)
                        + " OR NOT EXISTS (SELECT 1 FROM contributions_offer lo "
                        "WHERE lo.id = NEW.offer_id AND lo.need_id = NEW.need_id "
                        f"AND lo.member_id = NEW.contributor_id AND lo.state = {ACCEPTED}) "
                        "OR (SELECT ln.state FROM contributions_need ln WHERE ln.id = NEW.need_id) "
                        f"= {CANCELLED} OR {d.after_today('NEW.worked_on')} "
                        f"OR NOT {in_good_standing('NEW.contributor_id')}"
                    ),
                ),
                Rule(
                    MSG_DAY,
                    "(SELECT COALESCE(SUM(dc.minutes), 0) FROM contributions_contribution dc "
                    "WHERE dc.contributor_id = NEW.contributor_id AND dc.worked_on = NEW.worked_on "
                    f"AND dc.state IN ({counted})) + NEW.minutes > {MINUTES_PER_DAY}",
                ),
            ),
            # Two logs of one person's day take turns (PostgreSQL, READ COMMITTED).
            lock=lambda d: d.lock("members_member", "id = NEW.contributor_id"),
        ),
        Guard(
            "contributions_contribution",
            "UPDATE",
            (
                Rule(
                    MSG_HOURS_FROZEN,
                    lambda d: d.any_distinct(_columns(Contribution, except_=("state", *_DECISION))),
                ),
                Rule(MSG_STEP, _steps),
                Rule(
                    MSG_CONFIRMED_POSTED,
                    f"NEW.state = {CONFIRMED} AND OLD.state <> {CONFIRMED} AND NOT EXISTS "
                    "(SELECT 1 FROM contributions_timetransfer ct "
                    "WHERE ct.contribution_id = NEW.id "
                    f"AND ct.status = {POSTED} AND ct.authorized_by_id = NEW.confirmed_by_id)",
                ),
            ),
        ),
    ]


def record_guards() -> list[Guard]:
    return [*_need_guards(), *_offer_guards(), *_contribution_guards()]
