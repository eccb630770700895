"""Guards of the time ledger (messages start with "time ledger guard:").

A transfer is written as a draft with its postings and posted by one update,
when the database checks it whole: its authority (hours confirmed by the
need's beneficiary or a reviewing steward, never the contributor; or a
pending rebate request used by another member who is a treasurer), its
postings (two, summing to zero, at the bylaws' rate, between the accounts
the rules name; none for paid work, which names its expense instead), the
floor of the member it draws on and the community's monthly issuance cap.
On PostgreSQL the accounts it moves are locked first, so two concurrent
transfers cannot both pass a floor or a cap under READ COMMITTED.
"""

from __future__ import annotations

from contributions.models import COMMUNITY_REFERENCE, RebateState, TimeTransfer, TransferKind
from contributions.triggers.rules import (
    DRAFT,
    LOGGED,
    MSG_ACCOUNT,
    MSG_AUTHORITY,
    MSG_CAP,
    MSG_CLAIM,
    MSG_CLAIM_STEP,
    MSG_DRAFT_ONLY_POSTS,
    MSG_ENTRY,
    MSG_FLOOR,
    MSG_PAID,
    MSG_POSTED_IMMUTABLE,
    MSG_POSTING_CLOSED,
    MSG_REBATE,
    MSG_TRANSFER_DRAFT,
    MSG_UNBALANCED,
    POSTED,
    STEWARD,
    TREASURER,
    UNDER_REVIEW,
    balance_with,
    beneficiary,
    credits_for,
    floor,
    holds_named_role,
    month_of,
    rule,
)
from kernel.guards import Dialect, Guard, Rule, literal
from members.triggers import in_good_standing
from treasury.models import Transaction, TransactionKind

POSTING = f"NEW.status = {POSTED} AND OLD.status = {DRAFT}"
PENDING_CLAIM = literal(RebateState.PENDING)
ISSUED = literal(TransferKind.ISSUED)
EXCHANGED = literal(TransferKind.EXCHANGED)
PAID = literal(TransferKind.PAID)
REBATE = literal(TransferKind.REBATE)
POSTINGS = "FROM contributions_timeposting tp WHERE tp.transfer_id = NEW.id"
CONTRIBUTION = (
    "(SELECT {} FROM contributions_contribution tc "
    "JOIN contributions_need tn ON tn.id = tc.need_id WHERE tc.id = NEW.contribution_id)"
)
CLAIM = "(SELECT {} FROM contributions_rebateclaim rc WHERE rc.id = NEW.rebate_id)"


def _account_of(member: str) -> str:
    return f"(SELECT ma.id FROM contributions_timeaccount ma WHERE ma.member_id = {member})"


COMMUNITY = (
    "(SELECT ca.id FROM contributions_timeaccount ca "
    f"WHERE ca.reference = {literal(COMMUNITY_REFERENCE)})"
)


def _posting(account: str, amount: str) -> str:
    return f"EXISTS (SELECT 1 {POSTINGS} AND tp.account_id = {account} AND tp.amount = {amount})"


def _earned(d: Dialect) -> str:
    """A confirmed contribution's transfer, as the record and the bylaws say."""
    state = CONTRIBUTION.format("tc.state")
    contributor = CONTRIBUTION.format("tc.contributor_id")
    need = CONTRIBUTION.format("tc.need_id")
    authorized = (
        f"(({state} = {LOGGED} AND {beneficiary('NEW.authorized_by_id', need)}) "
        f"OR ({state} = {UNDER_REVIEW} AND {holds_named_role('NEW.authorized_by_id', STEWARD)} "
        f"AND {d.distinct('NEW.authorized_by_id', CONTRIBUTION.format('tc.refused_by_id'))}))"
    )
    kind = (
        f"(CASE WHEN {CONTRIBUTION.format('tn.hourly_pay_cents')} > 0 THEN {PAID} "
        f"WHEN {CONTRIBUTION.format('tn.is_community')} THEN {ISSUED} ELSE {EXCHANGED} END)"
    )
    source = (
        f"(CASE WHEN NEW.kind = {ISSUED} THEN {COMMUNITY} "
        f"ELSE {_account_of(CONTRIBUTION.format('tn.posted_by_id'))} END)"
    )
    credits = credits_for("NEW.minutes", "NEW.rate")
    return (
        f"{POSTING} AND NEW.kind <> {REBATE} AND (NEW.rebate_id IS NOT NULL "
        f"OR NOT COALESCE({authorized}, FALSE) "
        f"OR NEW.authorized_by_id = {contributor} "
        f"OR NEW.kind <> {kind} "
        f"OR NEW.minutes <> {CONTRIBUTION.format('tc.minutes')} "
        f"OR (NEW.kind <> {PAID} AND (NEW.rate <> {rule(d, 'credit_hundredths_per_hour')} "
        f"OR NEW.credits <> {credits} "
        f"OR NOT {_posting(_account_of(contributor), 'NEW.credits')} "
        f"OR NOT {_posting(source, '-NEW.credits')})))"
    )


def _paid() -> str:
    pay = credits_for("NEW.minutes", CONTRIBUTION.format("tn.hourly_pay_cents"))
    return (
        f"{POSTING} AND NEW.kind = {PAID} AND (NEW.credits <> 0 OR NEW.rate <> 0 "
        "OR NOT EXISTS (SELECT 1 FROM treasury_expense te WHERE te.id = NEW.expense_id "
        f"AND te.budget_line_id = {CONTRIBUTION.format('tn.budget_line_id')} "
        f"AND te.amount_cents = {pay}))"
    )


def _rebate(d: Dialect) -> str:
    member = CLAIM.format("rc.member_id")
    return (
        f"{POSTING} AND NEW.kind = {REBATE} AND (NEW.contribution_id IS NOT NULL "
        f"OR {CLAIM.format('rc.state')} <> {PENDING_CLAIM} "
        f"OR NOT {rule(d, 'dues_rebate')} "
        f"OR NEW.credits <> {CLAIM.format('rc.credits')} "
        f"OR NOT {holds_named_role('NEW.authorized_by_id', TREASURER)} "
        f"OR NEW.authorized_by_id = {member} "
        f"OR NOT {_posting(_account_of(member), '-NEW.credits')} "
        f"OR NOT {_posting(COMMUNITY, 'NEW.credits')} "
        f"OR {balance_with(_account_of(member), 'NEW.id')} < 0)"
    )


def _transfer_guards() -> list[Guard]:
    count = f"(SELECT COUNT(*) {POSTINGS})"
    total = f"(SELECT COALESCE(SUM(tp.amount), 0) {POSTINGS})"
    exchanged_source = _account_of(CONTRIBUTION.format("tn.posted_by_id"))
    return [
        Guard(
            "contributions_timetransfer",
            "INSERT",
            (
                Rule(
                    MSG_TRANSFER_DRAFT,
                    lambda d: (
                        f"NEW.status <> {DRAFT} OR {d.not_now('NEW.posted_at')} "
                        f"OR NEW.month <> {month_of(d, 'NEW.posted_at')} "
                        f"OR NOT {in_good_standing('NEW.authorized_by_id')}"
                    ),
                ),
            ),
        ),
        Guard(
            "contributions_timetransfer",
            "UPDATE",
            (
                Rule(MSG_POSTED_IMMUTABLE, f"OLD.status = {POSTED}"),
                Rule(
                    MSG_DRAFT_ONLY_POSTS,
                    lambda d: d.any_distinct(
                        [
                            f.column
                            for f in TimeTransfer._meta.concrete_fields
                            if f.column != "status"
                        ]
                    ),
                ),
                Rule(
                    MSG_UNBALANCED,
                    f"{POSTING} AND CASE WHEN NEW.kind = {PAID} THEN {count} <> 0 "
                    f"ELSE ({count} <> 2 OR {total} <> 0 OR NEW.credits <= 0) END",
                ),
                Rule(MSG_AUTHORITY, _earned),
                Rule(MSG_PAID, _paid()),
                Rule(MSG_REBATE, _rebate),
                Rule(
                    MSG_FLOOR,
                    lambda d: (
                        f"{POSTING} AND NEW.kind = {EXCHANGED} "
                        f"AND {balance_with(exchanged_source, 'NEW.id')} < {floor(d)}"
                    ),
                ),
                Rule(
                    MSG_CAP,
                    lambda d: (
                        f"{POSTING} AND NEW.kind = {ISSUED} AND "
                        "(SELECT COALESCE(SUM(it.credits), 0) "
                        "FROM contributions_timetransfer it WHERE it.kind = NEW.kind "
                        f"AND it.month = NEW.month AND it.status = {POSTED}) + NEW.credits > "
                        f"{rule(d, 'monthly_cap_hundredths')}"
                    ),
                ),
            ),
            # The accounts it moves, locked in key order (see the docstring).
            lock=lambda d: (
                "PERFORM 1 FROM contributions_timeaccount WHERE id IN (SELECT lp.account_id "
                "FROM contributions_timeposting lp WHERE lp.transfer_id = NEW.id) "
                "ORDER BY id FOR UPDATE;"
                if d.vendor == "postgresql"
                else ""
            ),
        ),
        Guard(
            "contributions_timeposting",
            "INSERT",
            (
                Rule(
                    MSG_POSTING_CLOSED,
                    lambda d: d.distinct(
                        "(SELECT pt.status FROM contributions_timetransfer pt "
                        "WHERE pt.id = NEW.transfer_id)",
                        DRAFT,
                    ),
                ),
            ),
        ),
        Guard(
            "contributions_timeentry",
            "INSERT",
            (
                Rule(
                    MSG_ENTRY,
                    lambda d: (
                        "NOT EXISTS (SELECT 1 FROM contributions_timetransfer et "
                        f"WHERE et.id = NEW.transfer_id AND et.status = {POSTED} "
                        "AND NEW.kind = 'time.' || et.kind) "
                        f"OR {d.distinct(d.json_int('NEW.payload', 'transfer'), 'NEW.transfer_id')}"
                    ),
                ),
            ),
            name="posted",
        ),
    ]


def _claim_guards() -> list[Guard]:
    dues = literal(TransactionKind.DUES)
    posted_txn = literal(Transaction.Status.POSTED)
    withdrawn = literal(RebateState.WITHDRAWN)
    used = literal(RebateState.USED)
    return [
        Guard(
            "contributions_rebateclaim",
            "INSERT",
            (
                Rule(
                    MSG_CLAIM,
                    lambda d: (
                        f"NEW.state <> {PENDING_CLAIM} OR {d.not_now('NEW.created_at')} "
                        "OR NEW.decided_at IS NOT NULL OR NEW.treasury_transaction_id IS NOT NULL "
                        f"OR NOT {in_good_standing('NEW.member_id')} "
                        f"OR NOT {rule(d, 'dues_rebate')}"
                    ),
                ),
            ),
        ),
        Guard(
            "contributions_rebateclaim",
            "UPDATE",
            (
                Rule(
                    MSG_CLAIM_STEP,
                    lambda d: (
                        f"{d.any_distinct(['member_id', 'credits', 'created_at'])} "
                        f"OR OLD.state <> {PENDING_CLAIM} "
                        f"OR (NEW.state <> OLD.state AND {d.not_now('NEW.decided_at')}) "
                        f"OR (NEW.state = OLD.state AND "
                        f"{d.any_distinct(['decided_at', 'treasury_transaction_id'])}) "
                        f"OR (NEW.state = {withdrawn} AND NEW.treasury_transaction_id IS NOT NULL) "
                        f"OR (NEW.state = {used} AND (NOT EXISTS (SELECT 1 FROM "
                        "contributions_timetransfer ut WHERE ut.rebate_id = NEW.id "
                        f"AND ut.status = {POSTED}) OR NOT EXISTS (SELECT 1 FROM "
                        "treasury_transaction ux WHERE ux.id = NEW.treasury_transaction_id "
                        f"AND ux.kind = {dues} AND ux.status = {posted_txn})))"
                    ),
                ),
            ),
        ),
    ]


def _account_guards() -> list[Guard]:
    return [
        Guard(
            "contributions_timeaccount",
            "INSERT",
            (
                Rule(
                    MSG_ACCOUNT,
                    lambda d: (
                        f"{d.not_now('NEW.created_at')} OR (NEW.is_community AND "
                        f"NEW.reference <> {literal(COMMUNITY_REFERENCE)}) "
                        "OR (NOT NEW.is_community "
                        "AND (NEW.reference NOT LIKE 'm-%' OR LENGTH(NEW.reference) <> 14))"
                    ),
                ),
            ),
        ),
    ]


def ledger_guards() -> list[Guard]:
    return [*_account_guards(), *_transfer_guards(), *_claim_guards()]
