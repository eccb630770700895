"""The one path for money: postings, the kinds' accounts, external
references, transfers and reversals (`treasury.services.posting`)."""

from __future__ import annotations

import pytest

from kernel.errors import Conflict, InvalidInput, NotAllowed
from tests.treasury.factories import ExpenseFactory, IncomeFactory
from tests.treasury.helpers import assert_ledger_invariants, today
from treasury import selectors, services
from treasury.errors import DuplicateReference, Unbalanced, UnknownAccount
from treasury.models import INCOME_KINDS, LedgerEntry, Posting, Transaction


def test_duplicate_external_reference_is_refused(community):
    IncomeFactory(actor=community["bob"], amount_cents=1_000, external_reference="BANK-1")
    with pytest.raises(DuplicateReference):
        IncomeFactory(actor=community["bob"], amount_cents=1_000, external_reference="BANK-1")
    assert Transaction.objects.count() == 1


def test_unbalanced_transaction_is_refused_and_writes_nothing(community):
    with pytest.raises(Unbalanced, match="sum to 150"):
        services.post_transaction(
            actor=community["bob"],
            date=today(),
            description="Broken",
            kind="transfer",
            postings=[
                {"account": "assets:bank", "fund": "general", "amount": 1_150},
                {"account": "assets:cash", "fund": "general", "amount": -1_000},
            ],
        )
    assert Transaction.objects.count() == 0
    assert Posting.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


def test_single_posting_is_refused(community):
    with pytest.raises(Unbalanced):
        services.post_transaction(
            actor=community["bob"],
            date=today(),
            description="Alone",
            kind="transfer",
            postings=[{"account": "assets:bank", "fund": "general", "amount": 100}],
        )


def test_unknown_account_is_refused(community):
    with pytest.raises(UnknownAccount, match="assets:offshore"):
        services.post_transaction(
            actor=community["bob"],
            date=today(),
            description="Where?",
            kind="transfer",
            postings=[
                {"account": "assets:offshore", "fund": "general", "amount": 100},
                {"account": "assets:cash", "fund": "general", "amount": -100},
            ],
        )
    assert Transaction.objects.count() == 0


def test_zero_posting_and_float_amounts_are_refused(community):
    for amounts in ((0, 0), (1.5, -1.5)):
        with pytest.raises(InvalidInput):
            services.post_transaction(
                actor=community["bob"],
                date=today(),
                description="Odd",
                kind="transfer",
                postings=[
                    {"account": "assets:bank", "fund": "general", "amount": amounts[0]},
                    {"account": "assets:cash", "fund": "general", "amount": amounts[1]},
                ],
            )


def test_budget_line_account_cannot_be_spent_by_a_plain_transaction(community, budget):
    account = budget["workshop"].account
    sneaky = [
        {"account": account.code, "fund": "general", "amount": 100},
        {"account": "assets:bank", "fund": "general", "amount": -100},
    ]
    # Every kind decides its accounts (a transfer moves money between asset
    # accounts only, a fee needs its income...): refused before the database.
    for kind in (*INCOME_KINDS, "fee", "transfer"):
        with pytest.raises(InvalidInput) as refused:
            services.post_transaction(
                actor=community["bob"],
                date=today(),
                description="Sneaky",
                kind=kind,
                postings=sneaky,
            )
        assert refused.value.code == "wrong_accounts", kind
    # An expense is recorded against its budget line, never posted plainly.
    with pytest.raises(InvalidInput, match="against its budget line"):
        services.post_transaction(
            actor=community["bob"],
            date=today(),
            description="Sneaky",
            kind="expense",
            postings=sneaky,
        )
    assert Transaction.objects.count() == 0
    assert Posting.objects.count() == 0
    assert LedgerEntry.objects.count() == 0
    assert selectors.budget_line_status(budget["workshop"].pk).remaining_cents == 100_000


def test_transfer_between_own_accounts(community):
    bob = community["bob"]
    IncomeFactory(actor=bob, amount_cents=10_000)
    services.record_transfer(
        actor=bob,
        date=today(),
        from_account="assets:bank",
        to_account="assets:cash",
        amount_cents=2_500,
    )
    shown = {r["account"].code: r["cents"] for r in selectors.balances()["accounts"]}
    assert shown["assets:bank"] == 7_500 and shown["assets:cash"] == 2_500
    assert_ledger_invariants()


def test_reversal_mirrors_original_and_links_to_it(community, budget):
    expense = ExpenseFactory(
        actor=community["bob"], budget_line=budget["printing"], amount_cents=20_000
    )
    reversal = services.reverse_transaction(
        actor=community["bob"], transaction_id=expense.transaction_id, reason="Refunded by shop"
    )
    original = {p.account.code: p.amount_cents for p in expense.transaction.postings.all()}
    mirrored = {p.account.code: p.amount_cents for p in reversal.postings.all()}
    assert mirrored == {code: -amount for code, amount in original.items()}
    assert reversal.reverses_id == expense.transaction_id
    assert reversal.ledger_entry.payload["references"]["reversal_of"] == expense.transaction_id
    assert selectors.budget_line_status(budget["printing"].pk).remaining_cents == 20_000
    assert_ledger_invariants()


def test_transaction_is_reversed_only_once_and_reversal_not_reversed(community):
    txn = IncomeFactory(actor=community["bob"], amount_cents=1_000)
    reversal = services.reverse_transaction(
        actor=community["bob"], transaction_id=txn.pk, reason="Bounced"
    )
    with pytest.raises(Conflict, match="already"):
        services.reverse_transaction(actor=community["bob"], transaction_id=txn.pk, reason="Again")
    with pytest.raises(Conflict):
        services.reverse_transaction(
            actor=community["bob"], transaction_id=reversal.pk, reason="Undo"
        )
    with pytest.raises(InvalidInput):
        services.reverse_transaction(actor=community["bob"], transaction_id=txn.pk, reason="")
    assert Transaction.objects.count() == 2


def test_only_treasurer_reverses(community):
    txn = IncomeFactory(actor=community["bob"], amount_cents=1_000)
    with pytest.raises(NotAllowed):
        services.reverse_transaction(actor=community["carol"], transaction_id=txn.pk, reason="No")
