"""What the audit recomputes for the treasury, from the ledger and the journal.

- ``ledger``: the ledger verifies with `kernel/chain.py` (against a saved
  head, if given), the stored head names its last entry, every entry's
  postings are exactly its transaction's, and every posted transaction has
  its entry.
- ``balances``: every account's balance, per fund, summed from the ledger,
  is the one the database holds.
- ``spending``: every entry moves money as its kind allows (income into
  assets, transfers between assets, a fee out of the income it names,
  expenses from their own budget line with a receipt, and a second approver
  above the threshold the decision rules set at that moment); every budget
  line is one the journal says an enacted budget opened, exactly, and no
  line is spent beyond its allocation.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from governance.audit import genesis_payload, journal_events
from governance.parameters import PARAMETERS_ARTICLE, GovernanceParameters
from kernel import chain
from kernel.audit import Audit, check
from treasury import selectors
from treasury.chart_of_accounts import (
    BUDGET_LINE_ACCOUNT_PREFIX,
    FEE_ACCOUNT,
    STANDARD_ACCOUNTS,
    budget_line_account_code,
)
from treasury.models import (
    INCOME_KINDS,
    AccountType,
    BudgetLine,
    LedgerEntry,
    Posting,
    Transaction,
    TransactionKind,
)

CHUNK = 5000


def _entries():
    """Ledger entries with their payloads, in order (streamed)."""
    return (
        LedgerEntry.objects.order_by("seq")
        .values_list("seq", "at", "transaction_id", "payload")
        .iterator(chunk_size=CHUNK)
    )


@check("ledger")
def verify_ledger(audit: Audit) -> None:
    seq, head_hash = selectors.ledger_head()
    last = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    lines = (
        line
        for chunk in selectors.export_lines(fmt="jsonl", through=last)
        for line in chunk.splitlines(keepends=True)
    )
    result = chain.verify_lines(lines, expect_head=audit.expect_heads.get("ledger"))
    if not result.ok:
        audit.report("ledger", result.describe())
        return
    if (seq, head_hash) != (result.head_seq, result.head_hash):
        audit.report(
            "ledger head",
            f"the stored head {seq}:{head_hash} does not name the last entry "
            f"{result.head_seq}:{result.head_hash}",
        )
    batch: list = []
    for entry in _entries():
        batch.append(entry)
        if len(batch) == CHUNK:
            _compare_postings(audit, batch)
            batch = []
    _compare_postings(audit, batch)
    unchained = Transaction.objects.filter(
        status=Transaction.Status.POSTED, ledger_entry__isnull=True
    ).count()
    if unchained:
        audit.report("ledger", f"{unchained} posted transactions have no ledger entry")


def _compare_postings(audit: Audit, entries: list) -> None:
    stored = defaultdict(list)
    for txn_id, account, fund, amount in (
        Posting.objects.filter(transaction_id__in=[e[2] for e in entries])
        .order_by("pk")
        .values_list("transaction_id", "account__code", "fund__slug", "amount_cents")
    ):
        stored[txn_id].append({"account": account, "fund": fund, "amount": amount})
    for entry_seq, _at, txn_id, payload in entries:
        if payload.get("transaction") != txn_id or payload.get("postings") != stored[txn_id]:
            audit.report(
                f"ledger entry {entry_seq}",
                f"does not match the postings of transaction #{txn_id} in the database",
            )


@check("balances")
def verify_balances(audit: Audit) -> None:
    from_ledger: dict[tuple[str, str], int] = defaultdict(int)
    for _seq, _at, _txn, payload in _entries():
        for posting in payload.get("postings", []):
            from_ledger[(posting["account"], posting["fund"])] += posting["amount"]
    stored: dict[tuple[str, str], int] = defaultdict(int)
    for account, fund, amount in Posting.objects.values_list(
        "account__code", "fund__slug", "amount_cents"
    ):
        stored[(account, fund)] += amount
    for key in sorted(set(from_ledger) | set(stored)):
        if from_ledger.get(key, 0) != stored.get(key, 0):
            audit.report(
                f"account {key[0]} ({key[1]})",
                f"balance {stored.get(key, 0)} in the database, {from_ledger.get(key, 0)} "
                "by the ledger",
            )


def _thresholds() -> tuple[list[str], list[int]]:
    """When each second-approval threshold came into force (journal times)."""
    default = GovernanceParameters().second_approval_above_cents
    times, values = [""], [default]
    for article in genesis_payload().get("charter", []):
        if article["slug"] == PARAMETERS_ARTICLE and article.get("parameters"):
            values[0] = article["parameters"]["second_approval_above_cents"]
    for _seq, at, _kind, _actor, payload in journal_events("bylaw.version_created"):
        if payload["article"] == PARAMETERS_ARTICLE and payload.get("parameters"):
            times.append(at)
            values.append(payload["parameters"]["second_approval_above_cents"])
    return times, values


def _fund_problem(payload: dict, line_funds: dict, income_funds: dict) -> str | None:
    """Restricted money stays in its fund (the same rule as the ledger guard)."""
    kind = payload.get("kind")
    refs = payload.get("references", {})
    postings = payload.get("postings", [])
    funds = {p["fund"] for p in postings}
    if kind == TransactionKind.TRANSFER:
        net: dict[str, int] = defaultdict(int)
        for posting in postings:
            net[posting["fund"]] += posting["amount"]
        if any(net.values()):
            return "a transfer moves money from one fund to another"
    line = refs.get("budget_line")
    if kind == TransactionKind.EXPENSE and line in line_funds and funds != {line_funds[line]}:
        return "an expense is not paid from its budget line's fund"
    income = refs.get("fee_of")
    if kind == TransactionKind.FEE and income in income_funds and not funds <= income_funds[income]:
        return "a fee is not taken from the fund of its income"
    return None


def _shape_problem(payload: dict, threshold: int) -> str | None:
    kind = payload.get("kind")
    refs = payload.get("references", {})
    postings = payload.get("postings", [])
    asset = {code for code, _name, type_ in STANDARD_ACCOUNTS if type_ == AccountType.ASSET}
    income = {code for code, _name, type_ in STANDARD_ACCOUNTS if type_ == AccountType.INCOME}

    def only(allowed) -> bool:
        return all(allowed(p["account"], p["amount"]) for p in postings)

    if kind in INCOME_KINDS and not only(
        lambda a, n: (a in asset and n > 0) or (a in income and n < 0)
    ):
        return "income touches accounts other than income and assets"
    if kind == TransactionKind.TRANSFER and not only(lambda a, _n: a in asset):
        return "a transfer touches accounts other than assets"
    if kind == TransactionKind.FEE and (
        "fee_of" not in refs
        or not only(lambda a, n: (a == FEE_ACCOUNT and n > 0) or (a in asset and n < 0))
    ):
        return "a fee names no income, or touches accounts other than the fee account and assets"
    if kind == TransactionKind.EXPENSE:
        line = refs.get("budget_line")
        account = budget_line_account_code(line) if line else None
        if (
            not line
            or "receipt_sha256" not in refs
            or not only(lambda a, n: (a == account and n > 0) or (a in asset and n < 0))
        ):
            return "an expense does not draw on its own budget line from assets, with a receipt"
        spent = sum(p["amount"] for p in postings if p["amount"] > 0)
        approver = refs.get("approved_by")
        if spent > threshold and (not approver or approver == refs.get("recorded_by")):
            return f"an expense of {spent} above the threshold {threshold} has no second approver"
    return None


@check("spending")
def verify_spending(audit: Audit) -> None:
    times, values = _thresholds()
    spent: dict[int, int] = defaultdict(int)
    line_funds = {
        line["budget_line"]: line["fund"]
        for *_rest, payload in journal_events("budget.lines_opened")
        for line in payload["lines"]
    }
    income_funds: dict[int, set[str]] = {}
    for entry_seq, at, _txn, payload in _entries():
        threshold = values[bisect.bisect_right(times, at) - 1]
        problem = _shape_problem(payload, threshold) or _fund_problem(
            payload, line_funds, income_funds
        )
        if problem:
            audit.report(f"ledger entry {entry_seq}", problem)
        if payload.get("kind") in INCOME_KINDS:
            income_funds[payload["transaction"]] = {p["fund"] for p in payload["postings"]}
        for posting in payload.get("postings", []):
            if posting["account"].startswith(BUDGET_LINE_ACCOUNT_PREFIX):
                line = posting["account"].removeprefix(BUDGET_LINE_ACCOUNT_PREFIX)
                spent[int(line)] += posting["amount"]
    opened: dict[int, dict] = {}
    enacted = {payload["proposal"] for *_rest, payload in journal_events("proposal.enacted")}
    for _seq, _at, _kind, _actor, payload in journal_events("budget.lines_opened"):
        for line in payload["lines"]:
            opened[line["budget_line"]] = {**line, "proposal": payload["proposal"]}
    for line in BudgetLine.objects.select_related("fund").order_by("pk"):
        subject = f"budget line #{line.pk}"
        record = opened.pop(line.pk, None)
        if record is None:
            audit.report(subject, "no enacted budget in the journal opened it")
            continue
        if (record["purpose"], record["amount"], record["fund"], record["proposal"]) != (
            line.purpose,
            line.amount_cents,
            line.fund.slug,
            line.proposal_id,
        ):
            audit.report(subject, "differs from the line the journal says was voted")
        if record["proposal"] not in enacted:
            audit.report(subject, f"proposal #{record['proposal']} is not journaled as enacted")
        if spent.get(line.pk, 0) > record["amount"]:
            audit.report(subject, f"spent {spent[line.pk]} of {record['amount']} allocated")
    for line_id in sorted(opened):
        audit.report(f"budget line #{line_id}", "journaled as opened, but not in the database")
