"""Red team: the treasury (accounts, funds, budget lines, transactions,
postings, ledger entries, expenses, receipts, attestations) attacked through
the application's own connection."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kernel.chains import append_to_chain
from kernel.errors import InvalidInput
from tests.guards.helpers import DAY, raw, replace_row, rows
from tests.proposals.helpers import pass_budget
from treasury import chart_of_accounts as chart
from treasury import services
from treasury.models import (
    Account,
    AuditAttestation,
    BudgetLine,
    Expense,
    Fund,
    LedgerEntry,
    Posting,
    Receipt,
    Transaction,
)

LEDGER = "ledger guard"
FEE = "a platform fee names the income it was withheld from"
TRANSFER = "a transfer moves money between asset accounts only"
EXPENSE = "an expense draws on its own budget line's account, from asset accounts, with a receipt"
FOUR_EYES = "above the bylaws' threshold an expense needs a second approver"
POSTED = "a posted transaction is immutable; correct it with a reversal"
FLOW = "an expense is recorded pending by a treasurer, now"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(content=b"Invoice 42: chairs\n"):
    return SimpleUploadedFile("invoice.txt", content, content_type="text/plain")


@pytest.fixture
def books(community):
    """Voted lines (Workshop 1,000.00; Printing 200.00), 2,000.00 donated to the
    bank, a receipt, and bob the treasurer."""
    bob = community["bob"]
    proposal = pass_budget(
        community["alice"],
        list(community.values()),
        lines=[
            {"purpose": "Workshop", "amount_cents": 100_000, "fund": "general"},
            {"purpose": "Printing", "amount_cents": 20_000, "fund": "general"},
        ],
    )
    assert proposal.state == "enacted"
    workshop, printing = proposal.budget_lines.order_by("pk")
    income = services.record_income(
        actor=bob, kind="donation", amount_cents=200_000, date=timezone.now().date(), method="bank"
    )
    return {
        **community,
        "workshop": workshop,
        "printing": printing,
        "income": income,
        "receipt": services.store_receipt(actor=bob, upload=upload()),
        "general": Fund.objects.get(slug="general"),
    }


def account(code: str) -> Account:
    return Account.objects.get(code=code)


def line_account(line) -> Account:
    return Account.objects.get(budget_line=line)


def forge(books, kind, postings, *, fund=None, **fields) -> Transaction:
    """What `_post` writes, without its checks: a draft, its postings, then
    the update that posts it."""
    values = {
        "date": timezone.now().date(),
        "description": "forged",
        "kind": kind,
        "recorded_by": books["bob"],
        "posted_at": timezone.now(),
    }
    values.update(fields)
    txn = Transaction.objects.create(**values)
    Posting.objects.bulk_create(
        Posting(
            transaction=txn,
            account=posting[0],
            amount_cents=posting[1],
            fund=posting[2] if len(posting) > 2 else fund or books["general"],
        )
        for posting in postings
    )
    Transaction.objects.filter(pk=txn.pk).update(status="posted")
    return txn


def ledger():
    return rows(Transaction), rows(Posting), rows(LedgerEntry)


# --- money moving by the wrong kind ---------------------------------------------------------------


def test_a_fee_or_transfer_cannot_move_money_from_the_bank_to_an_expense_account(books, refused):
    bank, workshop = account("assets:bank"), line_account(books["workshop"])
    before = ledger()
    for kind in ("fee", "transfer"):
        with pytest.raises(InvalidInput):  # the service says no…
            services.post_transaction(
                actor=books["bob"],
                date=timezone.now().date(),
                description="Chairs",
                kind=kind,
                postings=[
                    {"account": workshop.code, "amount": 50_000},
                    {"account": "assets:bank", "amount": -50_000},
                ],
            )
    # …and so does the database, to the same writes made without it.
    with refused(FEE):
        forge(books, "fee", [(workshop, 50_000), (bank, -50_000)], fee_of=books["income"])
    with refused(TRANSFER):
        forge(books, "transfer", [(workshop, 50_000), (bank, -50_000)])
    with refused(TRANSFER):
        forge(books, "transfer", [(account(chart.FEE_ACCOUNT), 50_000), (bank, -50_000)])
    with refused("income moves money from income accounts into asset accounts only"):
        forge(books, "donation", [(workshop, 50_000), (bank, -50_000)])
    with refused(FEE):  # a "fee" larger than the income it was withheld from
        forge(
            books,
            "fee",
            [(account(chart.FEE_ACCOUNT), 300_000), (bank, -300_000)],
            fee_of=books["income"],
        )
    assert ledger() == before


def test_an_expense_draws_on_its_own_line_with_a_receipt(books, refused):
    bank = account("assets:bank")
    before = ledger()
    with refused(EXPENSE):  # no receipt
        forge(
            books,
            "expense",
            [(line_account(books["workshop"]), 10_000), (bank, -10_000)],
            budget_line=books["workshop"],
        )
    # Printing's money, booked as the Workshop's (also the wrong fund, if the funds differ)
    with refused(f"({EXPENSE}|restricted money stays in its fund)"):
        forge(
            books,
            "expense",
            [(line_account(books["printing"]), 10_000), (bank, -10_000)],
            budget_line=books["workshop"],
            receipt=books["receipt"],
        )
    with refused(f"({EXPENSE}|restricted money stays in its fund)"):  # no budget line at all
        forge(
            books,
            "expense",
            [(line_account(books["workshop"]), 10_000), (bank, -10_000)],
            receipt=books["receipt"],
        )
    assert ledger() == before


def test_an_expense_spends_only_on_its_budget_line(books, refused):
    """Once got through (both databases, high). The expense rule allows a posting when
    `(ta.budget_line_id = NEW.budget_line_id AND amount > 0) OR (asset AND
    amount < 0)`; on an account without a budget line the first comparison is
    NULL, so the whole test is NULL, NOT NULL is NULL, and the posting is
    *not* found by `EXISTS (… AND NOT allowed)`. An "expense" of 10.00 on
    the Workshop line therefore also pays 490.00 into `expenses:platform-fees`
    (or any income or asset account) out of the bank: money spent outside any
    voted line, under the four-eyes threshold, not a fee of any income."""
    bank, fees = account("assets:bank"), account(chart.FEE_ACCOUNT)
    before = ledger()
    with refused(EXPENSE):
        forge(
            books,
            "expense",
            [(line_account(books["workshop"]), 1_000), (fees, 49_000), (bank, -50_000)],
            budget_line=books["workshop"],
            receipt=books["receipt"],
        )
    with refused(EXPENSE):  # or "takes back" part of a donation
        forge(
            books,
            "expense",
            [
                (line_account(books["workshop"]), 1_000),
                (account("income:donations"), 49_000),
                (bank, -50_000),
            ],
            budget_line=books["workshop"],
            receipt=books["receipt"],
        )
    assert ledger() == before


def test_a_raw_expense_above_the_threshold_needs_a_second_approver(books, refused):
    bank, workshop = account("assets:bank"), line_account(books["workshop"])
    before = ledger()

    def expense(**fields):
        forge(
            books,
            "expense",
            [(workshop, 60_000), (bank, -60_000)],
            budget_line=books["workshop"],
            receipt=books["receipt"],
            **fields,
        )

    with refused(FOUR_EYES):
        expense()
    with refused(FOUR_EYES):  # the founder is neither treasurer nor steward
        expense(approved_by=books["alice"])
    with refused("no_self_approval|" + FOUR_EYES):
        expense(approved_by=books["bob"])
    assert ledger() == before


def test_spending_cannot_exceed_a_voted_line(books, refused):
    bank = account("assets:bank")
    before = ledger()
    with refused("spending cannot exceed the allocation of a budget line"):
        forge(
            books,
            "expense",
            [(line_account(books["printing"]), 20_001), (bank, -20_001)],
            budget_line=books["printing"],
            receipt=books["receipt"],
            approved_by=books["carol"],
        )
    assert ledger() == before


def test_a_transaction_is_written_as_a_draft_now_by_a_treasurer(books, refused):
    bank, cash = account("assets:bank"), account("assets:cash")
    before = ledger()
    draft_only = "a transaction is written as a draft, now, by a treasurer in good standing"
    with refused(draft_only):
        Transaction.objects.create(
            date=timezone.now().date(),
            description="Born posted",
            kind="transfer",
            status="posted",
            recorded_by=books["bob"],
            posted_at=timezone.now(),
        )
    with refused(draft_only):  # the founder holds no treasury role
        forge(books, "transfer", [(cash, 1_000), (bank, -1_000)], recorded_by=books["alice"])
    with refused(draft_only):
        forge(
            books, "transfer", [(cash, 1_000), (bank, -1_000)], posted_at=timezone.now() - 90 * DAY
        )
    with refused("a transaction cannot be dated in the future"):
        forge(books, "transfer", [(cash, 1_000), (bank, -1_000)], date=timezone.now().date() + DAY)
    with refused("two or more postings that sum to exactly zero"):
        forge(books, "transfer", [(cash, 1_000), (bank, -999)])
    assert ledger() == before


def test_a_draft_changes_only_by_being_posted(books, attempt, refused):
    bank, cash = account("assets:bank"), account("assets:cash")
    with attempt():
        txn = Transaction.objects.create(
            date=timezone.now().date(),
            description="Pending",
            kind="transfer",
            recorded_by=books["bob"],
            posted_at=timezone.now(),
        )
        Posting.objects.bulk_create(
            [
                Posting(transaction=txn, account=cash, fund=books["general"], amount_cents=1_000),
                Posting(transaction=txn, account=bank, fund=books["general"], amount_cents=-1_000),
            ]
        )
    before = ledger()
    with refused("a draft transaction changes only by being posted"):
        Transaction.objects.filter(pk=txn.pk).update(kind="donation", status="posted")
    with refused("a draft transaction changes only by being posted"):
        Transaction.objects.filter(pk=txn.pk).update(recorded_by=books["carol"])
    with refused("transactions cannot be deleted"):
        raw("DELETE FROM treasury_transaction WHERE id = %s", [txn.pk])
    assert ledger() == before


def test_posted_money_never_changes(books, refused):
    income = books["income"]
    posting = income.postings.order_by("pk").first()
    before = ledger()
    with refused(POSTED):
        Transaction.objects.filter(pk=income.pk).update(description="Changed")
    with refused(POSTED):
        Transaction.objects.filter(pk=income.pk).update(status="draft")
    income.date = income.date - 30 * DAY
    with refused(POSTED):
        income.save()
    with refused("transactions cannot be deleted"):
        raw("DELETE FROM treasury_transaction WHERE id = %s", [income.pk])
    with refused("postings are immutable"):
        Posting.objects.filter(pk=posting.pk).update(amount_cents=1)
    with refused("postings are immutable"):
        Posting.objects.filter(pk=posting.pk).update(account=account("assets:cash"))
    with refused("postings are immutable"):
        Posting.objects.filter(transaction=income).delete()
    with refused("postings cannot be added to a posted transaction"):
        Posting.objects.create(
            transaction=income,
            account=account("assets:cash"),
            fund=books["general"],
            amount_cents=5,
        )
    assert ledger() == before


def test_a_posted_posting_cannot_be_replaced_in_one_insert(books, attempt, refused):
    """Once got through (SQLite, low: raw SQL on SQLite can also drop triggers). SQLite's
    `INSERT OR REPLACE` deletes the row it replaces without firing DELETE
    triggers (recursive_triggers is off): a posting of the posted donation is
    replaced by a posting of a draft, and the donation no longer balances.
    On PostgreSQL the equivalent upsert fires the UPDATE guard."""
    with attempt():
        draft_txn = Transaction.objects.create(
            date=timezone.now().date(),
            description="Draft",
            kind="transfer",
            recorded_by=books["bob"],
            posted_at=timezone.now(),
        )
    posting = books["income"].postings.order_by("pk").first()
    before = ledger()
    with refused("postings are immutable"):
        replace_row(
            "treasury_posting",
            {
                "id": posting.pk,
                "transaction_id": draft_txn.pk,
                "account_id": posting.account_id,
                "fund_id": posting.fund_id,
                "amount_cents": posting.amount_cents,
            },
        )
    assert ledger() == before


def test_a_reversal_mirrors_one_transaction_once(books, refused):
    income = books["income"]
    reversal = "a reversal mirrors one posted transaction that is not itself a reversal"
    bank, donations = account("assets:bank"), account("income:donations")
    before = ledger()
    with refused(reversal):  # a "reversal" that takes back more than came in
        forge(books, "reversal", [(bank, -500_000), (donations, 500_000)], reverses=income)
    assert ledger() == before
    services.reverse_transaction(actor=books["bob"], transaction_id=income.pk, reason="Bounced.")
    first = Transaction.objects.get(reverses=income)
    before = ledger()
    with refused("reverses_id"):  # a second reversal of the same income
        forge(books, "reversal", [(bank, -200_000), (donations, 200_000)], reverses=income)
    with refused(reversal):  # the reversal of a reversal
        forge(books, "reversal", [(bank, 200_000), (donations, -200_000)], reverses=first)
    assert ledger() == before


def test_a_transfer_cannot_move_restricted_money_into_the_general_fund(books, refused):
    """Once got through (both databases, medium). A fund restricts money to one purpose,
    but no guard looks at the fund of a posting: a "transfer" from the bank to
    the bank moves a grant's money into the general fund. (The service
    `post_transaction` accepts the same postings; only the web form, which
    asks for one fund, does not offer it.)"""
    grant = services.create_fund(
        actor=books["bob"],
        slug="youth-grant",
        name="Youth workshops grant",
        is_restricted=True,
        purpose="Workshops for young people only",
    )
    services.record_income(
        actor=books["bob"],
        kind="grant",
        amount_cents=500_000,
        date=timezone.now().date(),
        method="bank",
        fund="youth-grant",
    )
    bank = account("assets:bank")
    before = ledger()
    with refused(LEDGER):
        forge(books, "transfer", [(bank, 500_000, books["general"]), (bank, -500_000, grant)])
    assert ledger() == before


def test_an_expense_on_a_general_line_cannot_be_paid_from_a_restricted_fund(books, refused):
    """Once got through (both databases, medium). An expense on a line voted from the
    general fund can take its money out of a restricted grant: the expense
    rule checks accounts, not funds."""
    services.create_fund(
        actor=books["bob"],
        slug="youth-grant",
        name="Youth workshops grant",
        is_restricted=True,
        purpose="Workshops for young people only",
    )
    services.record_income(
        actor=books["bob"],
        kind="grant",
        amount_cents=500_000,
        date=timezone.now().date(),
        method="bank",
        fund="youth-grant",
    )
    grant = Fund.objects.get(slug="youth-grant")
    before = ledger()
    with refused(LEDGER):
        txn = Transaction.objects.create(
            date=timezone.now().date(),
            description="Printing",
            kind="expense",
            recorded_by=books["bob"],
            budget_line=books["printing"],
            receipt=books["receipt"],
            posted_at=timezone.now(),
        )
        Posting.objects.bulk_create(
            [
                Posting(
                    transaction=txn,
                    account=line_account(books["printing"]),
                    fund=books["general"],
                    amount_cents=10_000,
                ),
                Posting(
                    transaction=txn,
                    account=account("assets:bank"),
                    fund=grant,
                    amount_cents=-10_000,
                ),
            ]
        )
        Transaction.objects.filter(pk=txn.pk).update(status="posted")
    assert ledger() == before


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
