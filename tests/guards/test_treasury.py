"""Red team: money moving through the ledger (kinds, budget lines, funds,
four eyes, posting, reversals) attacked through the application's own
connection."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kernel.errors import InvalidInput
from tests.guards.helpers import DAY, raw, replace_row
from tests.guards.treasury_helpers import (
    EXPENSE,
    FEE,
    FOUR_EYES,
    LEDGER,
    POSTED,
    TRANSFER,
    account,
    forge,
    ledger,
    line_account,
)
from treasury import chart_of_accounts as chart
from treasury import services
from treasury.models import (
    Fund,
    Posting,
    Transaction,
)

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
