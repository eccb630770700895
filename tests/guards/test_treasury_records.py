"""Red team: the treasury's records (the chart of accounts, funds, budget
lines, the ledger chain, receipts, attestations, expenses) attacked through
the application's own connection."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kernel.chains import append_to_chain
from tests.guards.helpers import DAY, raw, rows
from tests.guards.treasury_helpers import (
    FLOW,
    upload,
)
from treasury import services
from treasury.models import (
    Account,
    AuditAttestation,
    BudgetLine,
    Expense,
    Fund,
    LedgerEntry,
    Receipt,
    Transaction,
)

# --- the chart, funds, budget lines, the ledger chain ---------------------------------------------


def test_accounts_come_from_the_chart_and_never_change(books, refused):
    accounts = rows(Account)
    chart_only = "accounts are those of the standard chart, or one expense account per budget line"
    with refused(chart_only):
        Account.objects.create(code="assets:offshore", name="Offshore", type="asset")
    with refused(chart_only):  # an account for a line, under another name
        Account.objects.create(
            code="expenses:founder", name="Founder", type="expense", budget_line=books["workshop"]
        )
    with refused("accounts and their link to a budget line never change"):
        Account.objects.filter(budget_line=books["workshop"]).update(budget_line=None)
    with refused("accounts and their link to a budget line never change"):
        Account.objects.filter(code="assets:bank").update(type="expense")
    with refused("accounts and their link to a budget line never change"):
        raw("DELETE FROM treasury_account WHERE code = 'expenses:platform-fees'")
    assert rows(Account) == accounts


def test_funds_and_budget_lines_never_change(books, refused):
    grant = services.create_fund(
        actor=books["bob"],
        slug="youth-grant",
        name="Youth workshops grant",
        is_restricted=True,
        purpose="Workshops for young people only",
    )
    funds, lines = rows(Fund), rows(BudgetLine)
    with refused("a fund and its restriction never change"):
        Fund.objects.filter(pk=grant.pk).update(is_restricted=False, purpose="")
    with refused("a fund and its restriction never change"):
        Fund.objects.filter(pk=grant.pk).delete()
    voted = "a voted budget line cannot be changed or deleted"
    with refused(voted):
        BudgetLine.objects.filter(pk=books["workshop"].pk).update(amount_cents=5_000_000)
    with refused(voted):
        BudgetLine.objects.filter(pk=books["workshop"].pk).update(fund=grant)
    with refused(voted):
        raw("DELETE FROM treasury_budgetline WHERE id = %s", [books["printing"].pk])
    with refused("budget lines are opened only by enacting a passed budget proposal"):
        BudgetLine.objects.create(
            proposal=books["workshop"].proposal,
            budget_item=books["workshop"].budget_item,
            purpose="Workshop",
            fund=books["general"],
            amount_cents=100_000,
            opened_at=timezone.now(),
        )
    assert (rows(Fund), rows(BudgetLine)) == (funds, lines)


def test_the_ledger_chain_is_append_only_and_holds_only_posted_money(books, attempt, refused):
    entries = rows(LedgerEntry)
    entry = LedgerEntry.objects.get(transaction=books["income"])
    with refused("chain guard: the ledger chain is append-only"):
        LedgerEntry.objects.filter(pk=entry.pk).update(payload={"forged": True})
    with refused("chain guard: the ledger chain is append-only"):
        raw("DELETE FROM treasury_ledgerentry")
    with attempt():
        txn = Transaction.objects.create(
            date=timezone.now().date(),
            description="Draft",
            kind="transfer",
            recorded_by=books["bob"],
            posted_at=timezone.now(),
        )
    with refused("ledger guard: only a posted transaction enters the ledger chain"):
        append_to_chain(
            model=LedgerEntry, kind="treasury.transfer", actor="", payload={}, transaction=txn
        )
    assert rows(LedgerEntry) == entries


def test_receipts_and_attestations_never_change(books, refused):
    receipt = books["receipt"]
    receipts = rows(Receipt)
    with refused("receipts are immutable"):
        Receipt.objects.filter(pk=receipt.pk).update(sha256="0" * 64)
    with refused("receipts are immutable"):
        raw("DELETE FROM treasury_receipt WHERE id = %s", [receipt.pk])
    assert rows(Receipt) == receipts

    head = LedgerEntry.objects.order_by("-seq").first()
    today = timezone.now().date()
    services.attest_audit(
        actor=books["ada"],
        period_start=today - 30 * DAY,
        period_end=today,
        ledger_head_seq=head.seq,
        ledger_head_hash=head.hash,
        statement="The books are in order.",
    )
    attestations = rows(AuditAttestation)
    attestation = "an audit attestation is made now, by an auditor in good standing"

    def attest(**fields):
        values = {
            "auditor": books["ada"],
            "period_start": today - 30 * DAY,
            "period_end": today,
            "ledger_head_seq": head.seq,
            "ledger_head_hash": head.hash,
            "statement": "All fine.",
            "attested_at": timezone.now(),
            "journal_seq": 1,
        }
        values.update(fields)
        AuditAttestation.objects.create(**values)

    with refused(attestation):  # the founder is no auditor
        attest(auditor=books["alice"])
    with refused(attestation):
        attest(attested_at=timezone.now() - 365 * DAY)
    with refused("audit attestations are immutable"):
        AuditAttestation.objects.update(statement="Nothing to see.")
    with refused("audit attestations are immutable"):
        AuditAttestation.objects.all().delete()
    assert rows(AuditAttestation) == attestations


# --- expenses -------------------------------------------------------------------------------------


@pytest.fixture
def pending(books):
    """An expense of 600.00 on the Workshop line, awaiting a second approval."""
    expense = services.record_expense(
        actor=books["bob"],
        budget_line_id=books["workshop"].pk,
        amount_cents=60_000,
        date=timezone.now().date(),
        description="Room rental",
        payee="Town hall",
        method="bank",
        receipt_file=upload(b"Room rental, 600.00\n"),
    )
    assert expense.status == "pending"
    return expense


def test_an_expense_is_recorded_pending_by_a_treasurer_now(books, refused):
    before = rows(Expense)

    def expense(**fields):
        values = {
            "budget_line": books["workshop"],
            "amount_cents": 10_000,
            "date": timezone.now().date(),
            "description": "Chairs",
            "payee": "Shop",
            "method": "bank",
            "receipt": books["receipt"],
            "recorded_by": books["bob"],
            "recorded_at": timezone.now(),
        }
        values.update(fields)
        Expense.objects.create(**values)

    with refused(FLOW):
        expense(status="posted")
    with refused(FLOW):
        expense(status="declined", decided_by=books["carol"], decline_reason="No.")
    with refused(FLOW):
        expense(recorded_by=books["alice"])
    with refused(FLOW):
        expense(recorded_at=timezone.now() - 60 * DAY)
    assert rows(Expense) == before


def test_a_pending_expense_is_decided_only_by_the_rules(pending, books, refused):
    before = rows(Expense)
    now = timezone.now()
    with refused(FLOW):  # posted without a transaction
        Expense.objects.filter(pk=pending.pk).update(status="posted")
    with refused(FLOW):  # posted with someone else's transaction
        Expense.objects.filter(pk=pending.pk).update(status="posted", transaction=books["income"])
    with refused(FLOW):  # the amount changed while it waits
        Expense.objects.filter(pk=pending.pk).update(amount_cents=6_000_000)
    with refused(FLOW):  # declined by the founder
        Expense.objects.filter(pk=pending.pk).update(
            status="declined", decided_by=books["alice"], decided_at=now, decline_reason="No."
        )
    with refused(FLOW):  # declined without a reason
        Expense.objects.filter(pk=pending.pk).update(
            status="declined", decided_by=books["carol"], decided_at=now, decline_reason=" "
        )
    with refused(f"{FLOW}|no_self_approval"):  # declined by the one who recorded it
        Expense.objects.filter(pk=pending.pk).update(
            status="declined", decided_by=books["bob"], decided_at=now, decline_reason="Oops."
        )
    with refused(FLOW):
        raw("DELETE FROM treasury_expense WHERE id = %s", [pending.pk])
    assert rows(Expense) == before
    services.decline_expense(actor=books["carol"], expense_id=pending.pk, reason="Too dear.")
    before = rows(Expense)
    with refused(FLOW):  # a decision is final
        Expense.objects.filter(pk=pending.pk).update(status="pending", decided_by=None)
    assert rows(Expense) == before


def test_a_pending_expense_cannot_leave_the_queue_silently(pending, refused):
    """Once got through (both databases, low). `treasury_expense.status` has no CHECK
    constraint and the guard only describes the moves to "posted" and
    "declined": any other value is accepted, so a pending expense drops out
    of the approval queue with no decision, no decider and no reason."""
    before = rows(Expense)
    with refused(FLOW):
        Expense.objects.filter(pk=pending.pk).update(status="ignored")
    assert rows(Expense) == before
