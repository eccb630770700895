"""The ledger guard: money moves only by a rule, and the books stay honest.

On SQLite and PostgreSQL alike:

- Postings, receipts, budget lines, funds, accounts, ledger entries and audit
  attestations are append-only; transactions are never deleted.
- A transaction is written as a draft, now, by a treasurer in good standing,
  and posted with two or more postings summing to zero; once posted it never
  changes. Its kind decides which accounts it may touch:
  income kinds bring money from income accounts into asset accounts;
  a platform fee names the income it was withheld from and is at most its
  amount; a transfer moves money between asset accounts only; an expense
  draws on its own budget line's account, with a receipt, and above the
  bylaws' threshold needs a second approver (treasurer or steward) who did not
  record it; a reversal mirrors the transaction it reverses, once.
- A posting on a budget line's account cannot take the line beyond its
  allocation. On PostgreSQL the guard locks the budget line row first, so two
  concurrent expenses cannot both pass under READ COMMITTED.
- New accounts are those of the standard chart, or one expense account per
  budget line, named after it.
- Expenses move pending → posted (with their transaction) or declined (by
  someone else, with a reason), once.
- An audit attestation is made by an auditor in good standing.

Which proposal may open a budget line is checked by `proposals/triggers.py`.
Every message starts with "ledger guard:" so the IntegrityError names the guard.
"""

from __future__ import annotations

from governance.triggers import current_rule
from kernel.guards import Dialect, Guard, Rule, TriggerSet, literal
from members.triggers import holds_role
from treasury.chart_of_accounts import (
    BUDGET_LINE_ACCOUNT_PREFIX,
    FEE_ACCOUNT,
    STANDARD_ACCOUNTS,
)
from treasury.models import INCOME_KINDS, AccountType, Expense, Transaction, TransactionKind
from treasury.permissions import ATTESTS_LEDGER, DECIDES_EXPENSES, RECORDS_MONEY

K = TransactionKind

APPEND_ONLY = {
    "treasury_posting": "ledger guard: postings are immutable; record a reversal instead",
    "treasury_receipt": "ledger guard: receipts are immutable",
    "treasury_budgetline": "ledger guard: a voted budget line cannot be changed or deleted",
    "treasury_auditattestation": "ledger guard: audit attestations are immutable",
    "treasury_fund": "ledger guard: a fund and its restriction never change",
    "treasury_account": "ledger guard: accounts and their link to a budget line never change",
}

MSG_INSERT_DRAFT = (
    "ledger guard: a transaction is written as a draft, now, by a treasurer in good standing, "
    "then posted with its postings"
)
MSG_POSTED_IMMUTABLE = "ledger guard: a posted transaction is immutable; correct it with a reversal"
MSG_DRAFT_ONLY_POSTS = "ledger guard: a draft transaction changes only by being posted"
MSG_UNBALANCED = "ledger guard: a transaction needs two or more postings that sum to exactly zero"
MSG_FUTURE = "ledger guard: a transaction cannot be dated in the future"
MSG_INCOME = "ledger guard: income moves money from income accounts into asset accounts only"
MSG_FEE = (
    "ledger guard: a platform fee names the income it was withheld from, is at most that "
    "income, and moves money from an asset account to the fee account only"
)
MSG_TRANSFER = "ledger guard: a transfer moves money between asset accounts only"
MSG_FUNDS = (
    "ledger guard: restricted money stays in its fund: a transfer keeps each fund's total, an "
    "expense is paid from its budget line's fund, a fee from its income's"
)
MSG_EXPENSE = (
    "ledger guard: an expense draws on its own budget line's account, from asset accounts, "
    "with a receipt"
)
MSG_FOUR_EYES = (
    "ledger guard: above the bylaws' threshold an expense needs a second approver, a treasurer "
    "or steward other than the one who recorded it"
)
MSG_REVERSAL = (
    "ledger guard: a reversal mirrors one posted transaction that is not itself a reversal"
)
MSG_DELETE = "ledger guard: transactions cannot be deleted"
MSG_POSTING_CLOSED = "ledger guard: postings cannot be added to a posted transaction"
MSG_OVER_BUDGET = "ledger guard: spending cannot exceed the allocation of a budget line"
MSG_ENTRY_UNPOSTED = "ledger guard: only a posted transaction enters the ledger chain"
MSG_ACCOUNT = (
    "ledger guard: accounts are those of the standard chart, or one expense account per budget line"
)
MSG_EXPENSE_FLOW = (
    "ledger guard: an expense is recorded pending by a treasurer, now, and then posted with its "
    "own transaction or declined by someone else with a reason, once"
)
MSG_ATTESTATION = "ledger guard: an audit attestation is made now, by an auditor in good standing"

POSTINGS = (
    "FROM treasury_posting tp JOIN treasury_account ta ON ta.id = tp.account_id "
    "WHERE tp.transaction_id = NEW.id"
)
POSTED = literal(Transaction.Status.POSTED)
DRAFT = literal(Transaction.Status.DRAFT)
ASSET = literal(AccountType.ASSET)
INCOME_ACCOUNT = literal(AccountType.INCOME)
EXPENSE_ACCOUNT = literal(AccountType.EXPENSE)
POSTING = f"NEW.status = {POSTED} AND OLD.status = {DRAFT}"
INCOME = ", ".join(literal(k) for k in INCOME_KINDS)
STANDARD_CODES = ", ".join(literal(code) for code, _name, _type in STANDARD_ACCOUNTS)


def _kind(kind) -> str:
    return f"{POSTING} AND NEW.kind = {literal(kind)}"


def _any_posting_except(allowed: str) -> str:
    # NULL-safe: an account with no budget line must not slip through a
    # comparison with one.
    return f"EXISTS (SELECT 1 {POSTINGS} AND NOT COALESCE(({allowed}), FALSE))"


def _posting_rules() -> tuple[Rule, ...]:
    debit_total = f"(SELECT COALESCE(SUM(tp.amount_cents), 0) {POSTINGS} AND tp.amount_cents > 0)"
    income_received = (
        "(SELECT COALESCE(SUM(ip.amount_cents), 0) FROM treasury_posting ip "
        "JOIN treasury_account ia ON ia.id = ip.account_id "
        f"WHERE ip.transaction_id = NEW.fee_of_id AND ia.type = {ASSET} AND ip.amount_cents > 0)"
    )
    mirror_broken = (
        "EXISTS (SELECT 1 FROM (SELECT rp.account_id, rp.fund_id, SUM(rp.amount_cents) AS net "
        "FROM treasury_posting rp WHERE rp.transaction_id IN (NEW.id, NEW.reverses_id) "
        "GROUP BY rp.account_id, rp.fund_id) mirrored WHERE mirrored.net <> 0)"
    )

    def four_eyes(d: Dialect) -> str:
        threshold = current_rule(d, "second_approval_above_cents")
        return (
            f"{_kind(K.EXPENSE)} AND {debit_total} > {threshold} AND (NEW.approved_by_id IS NULL "
            "OR NEW.approved_by_id = NEW.recorded_by_id OR NOT "
            f"{holds_role('NEW.approved_by_id', DECIDES_EXPENSES)})"
        )

    return (
        Rule(
            MSG_UNBALANCED,
            f"{POSTING} AND ("
            "(SELECT COUNT(*) FROM treasury_posting WHERE transaction_id = NEW.id) < 2 "
            "OR (SELECT COALESCE(SUM(amount_cents), 0) FROM treasury_posting "
            "WHERE transaction_id = NEW.id) <> 0)",
        ),
        Rule(MSG_FUTURE, lambda d: f"{POSTING} AND {d.after_today('NEW.date')}"),
        Rule(
            MSG_INCOME,
            f"{POSTING} AND NEW.kind IN ({INCOME}) AND (NEW.budget_line_id IS NOT NULL "
            "OR NEW.reverses_id IS NOT NULL OR NEW.fee_of_id IS NOT NULL OR "
            + _any_posting_except(
                f"(ta.type = {ASSET} AND tp.amount_cents > 0) "
                f"OR (ta.type = {INCOME_ACCOUNT} AND tp.amount_cents < 0)"
            )
            + ")",
        ),
        Rule(
            MSG_FEE,
            f"{_kind(K.FEE)} AND (NEW.fee_of_id IS NULL "
            "OR NOT EXISTS (SELECT 1 FROM treasury_transaction inc WHERE inc.id = NEW.fee_of_id "
            f"AND inc.status = {POSTED} AND inc.kind IN ({INCOME})) "
            f"OR {debit_total} > {income_received} OR "
            + _any_posting_except(
                f"(ta.code = {literal(FEE_ACCOUNT)} AND tp.amount_cents > 0) "
                f"OR (ta.type = {ASSET} AND tp.amount_cents < 0)"
            )
            + ")",
        ),
        Rule(
            MSG_TRANSFER,
            f"{_kind(K.TRANSFER)} AND (" + _any_posting_except(f"ta.type = {ASSET}") + " OR "
            "EXISTS (SELECT 1 FROM (SELECT tf.fund_id, SUM(tf.amount_cents) AS net "
            "FROM treasury_posting tf WHERE tf.transaction_id = NEW.id GROUP BY tf.fund_id) "
            "per_fund WHERE per_fund.net <> 0))",
        ),
        Rule(
            MSG_FUNDS,
            f"{_kind(K.EXPENSE)} AND "
            + _any_posting_except(
                "tp.fund_id = (SELECT bl.fund_id FROM treasury_budgetline bl "
                "WHERE bl.id = NEW.budget_line_id)"
            )
            + f" OR {_kind(K.FEE)} AND "
            + _any_posting_except(
                "tp.fund_id IN (SELECT ip.fund_id FROM treasury_posting ip "
                "WHERE ip.transaction_id = NEW.fee_of_id)"
            ),
        ),
        Rule(
            MSG_EXPENSE,
            f"{_kind(K.EXPENSE)} AND (NEW.budget_line_id IS NULL OR NEW.receipt_id IS NULL OR "
            + _any_posting_except(
                "(ta.budget_line_id = NEW.budget_line_id AND tp.amount_cents > 0) "
                f"OR (ta.type = {ASSET} AND tp.amount_cents < 0)"
            )
            + ")",
        ),
        Rule(MSG_FOUR_EYES, four_eyes),
        Rule(
            MSG_REVERSAL,
            f"{_kind(K.REVERSAL)} AND (NEW.reverses_id IS NULL OR NOT EXISTS (SELECT 1 "
            f"FROM treasury_transaction o WHERE o.id = NEW.reverses_id AND o.status = {POSTED} "
            f"AND o.kind <> {literal(K.REVERSAL)} AND "
            "(o.budget_line_id = NEW.budget_line_id OR (o.budget_line_id IS NULL "
            f"AND NEW.budget_line_id IS NULL))) OR {mirror_broken})",
        ),
    )


def _transaction_guards() -> list[Guard]:
    return [
        Guard(
            "treasury_transaction",
            "INSERT",
            (
                Rule(
                    MSG_INSERT_DRAFT,
                    lambda d: (
                        f"NEW.status <> {DRAFT} OR {d.not_now('NEW.posted_at')} "
                        f"OR NOT {holds_role('NEW.recorded_by_id', RECORDS_MONEY)}"
                    ),
                ),
            ),
        ),
        Guard(
            "treasury_transaction",
            "UPDATE",
            (
                Rule(MSG_POSTED_IMMUTABLE, f"OLD.status = {POSTED}"),
                Rule(
                    MSG_DRAFT_ONLY_POSTS,
                    lambda d: d.any_distinct(
                        [
                            f.column
                            for f in Transaction._meta.concrete_fields
                            if f.column != "status"
                        ]
                    ),
                ),
                *_posting_rules(),
            ),
        ),
        Guard(
            "treasury_posting",
            "INSERT",
            (
                Rule(
                    MSG_POSTING_CLOSED,
                    lambda d: d.distinct(
                        "(SELECT status FROM treasury_transaction WHERE id = NEW.transaction_id)",
                        DRAFT,
                    ),
                ),
                Rule(
                    MSG_OVER_BUDGET,
                    "EXISTS (SELECT 1 FROM treasury_account a "
                    "JOIN treasury_budgetline b ON b.id = a.budget_line_id "
                    "WHERE a.id = NEW.account_id "
                    "AND (SELECT COALESCE(SUM(p.amount_cents), 0) FROM treasury_posting p "
                    "WHERE p.account_id = NEW.account_id) + NEW.amount_cents > b.amount_cents)",
                ),
            ),
            # Concurrent expenses on one line take turns here (see the docstring).
            lock=lambda d: d.lock(
                "treasury_budgetline",
                "id = (SELECT la.budget_line_id FROM treasury_account la "
                "WHERE la.id = NEW.account_id)",
            ),
        ),
        Guard(
            "treasury_ledgerentry",
            "INSERT",
            (
                Rule(
                    MSG_ENTRY_UNPOSTED,
                    lambda d: d.distinct(
                        "(SELECT status FROM treasury_transaction WHERE id = NEW.transaction_id)",
                        POSTED,
                    ),
                ),
            ),
            name="posted",
        ),
    ]


def _other_guards() -> list[Guard]:
    pending = literal(Expense.Status.PENDING)
    return [
        Guard(
            "treasury_account",
            "INSERT",
            (
                Rule(
                    MSG_ACCOUNT,
                    f"NOT ((NEW.code IN ({STANDARD_CODES}) AND NEW.budget_line_id IS NULL) "
                    f"OR (NEW.type = {EXPENSE_ACCOUNT} AND NEW.budget_line_id IS NOT NULL "
                    f"AND NEW.code = {literal(BUDGET_LINE_ACCOUNT_PREFIX)} "
                    "|| CAST(NEW.budget_line_id AS TEXT)))",
                ),
            ),
        ),
        Guard(
            "treasury_expense",
            "INSERT",
            (
                Rule(
                    MSG_EXPENSE_FLOW,
                    lambda d: (
                        f"NEW.status <> {pending} OR NEW.transaction_id IS NOT NULL "
                        "OR NEW.decided_by_id IS NOT NULL OR NEW.decided_at IS NOT NULL "
                        f"OR {d.not_now('NEW.recorded_at')} "
                        f"OR NOT {holds_role('NEW.recorded_by_id', RECORDS_MONEY)}"
                    ),
                ),
            ),
        ),
        Guard(
            "treasury_expense",
            "UPDATE",
            (
                Rule(
                    MSG_EXPENSE_FLOW,
                    lambda d: (
                        f"OLD.status <> {pending} OR NEW.status NOT IN ({pending}, "
                        f"{literal(Expense.Status.POSTED)}, {literal(Expense.Status.DECLINED)}) OR "
                        + d.any_distinct(
                            [
                                "budget_line_id",
                                "amount_cents",
                                "date",
                                "description",
                                "payee",
                                "method",
                                "receipt_id",
                                "recorded_by_id",
                                "recorded_at",
                            ]
                        )
                        + f" OR (NEW.status = {literal(Expense.Status.POSTED)} AND NOT EXISTS ("
                        "SELECT 1 FROM treasury_transaction et WHERE et.id = NEW.transaction_id "
                        f"AND et.status = {POSTED} AND et.kind = {literal(K.EXPENSE)} "
                        "AND et.budget_line_id = NEW.budget_line_id "
                        "AND et.receipt_id = NEW.receipt_id "
                        "AND et.recorded_by_id = NEW.recorded_by_id)) "
                        f"OR (NEW.status = {literal(Expense.Status.DECLINED)} AND "
                        "(NEW.decided_by_id IS NULL OR NEW.decided_by_id = NEW.recorded_by_id "
                        f"OR TRIM(NEW.decline_reason) = '' OR {d.not_now('NEW.decided_at')} "
                        "OR NEW.transaction_id IS NOT NULL OR NOT "
                        f"{holds_role('NEW.decided_by_id', DECIDES_EXPENSES)}))"
                    ),
                ),
            ),
        ),
        Guard(
            "treasury_auditattestation",
            "INSERT",
            (
                Rule(
                    MSG_ATTESTATION,
                    lambda d: (
                        f"{d.not_now('NEW.attested_at')} "
                        f"OR NOT {holds_role('NEW.auditor_id', ATTESTS_LEDGER)}"
                    ),
                ),
            ),
        ),
    ]


def guards() -> TriggerSet:
    return TriggerSet(
        guards=(*_transaction_guards(), *_other_guards()),
        append_only=APPEND_ONLY,
        no_delete={
            "treasury_transaction": MSG_DELETE,
            "treasury_expense": MSG_EXPENSE_FLOW,
        },
    )
