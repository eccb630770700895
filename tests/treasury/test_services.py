"""The treasury services: income, spending, four eyes, reversals, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from governance.models import JournalEntry
from governance.selectors import current_parameters
from kernel.errors import Conflict, InvalidInput, NotAllowed
from tests.factories import make_member
from tests.treasury.conftest import receipt_file
from tests.treasury.helpers import appoint_treasurer, assert_ledger_invariants, today
from treasury import selectors, services
from treasury.errors import (
    DuplicateReference,
    NoBudgetLine,
    NotTreasurer,
    OverBudget,
    SelfApproval,
    Unbalanced,
    UnknownAccount,
)
from treasury.models import INCOME_KINDS, Expense, LedgerEntry, Posting, Transaction


def _donate(bob, amount=5_000, **kwargs):
    return services.record_income(
        actor=bob,
        kind=kwargs.pop("kind", "donation"),
        amount_cents=amount,
        date=today(),
        method=kwargs.pop("method", "bank"),
        **kwargs,
    )


def _expense(bob, line, amount, **kwargs):
    return services.record_expense(
        actor=bob,
        budget_line_id=line.pk,
        amount_cents=amount,
        date=today(),
        description=kwargs.pop("description", "Chairs"),
        payee=kwargs.pop("payee", "Furniture Co"),
        method="bank",
        receipt_file=kwargs.pop("receipt_file", receipt_file()),
        **kwargs,
    )


# --- income -----------------------------------------------------------------


def test_donation_posts_balanced_transaction_into_ledger_chain(community):
    txn = _donate(community["bob"], 5_000, counterparty="Zoé", is_counterparty_public=True)
    postings = {p.account.code: p.amount_cents for p in txn.postings.all()}
    assert postings == {"assets:bank": 5_000, "income:donations": -5_000}
    entry = LedgerEntry.objects.get(transaction=txn)
    assert entry.kind == "treasury.donation"
    assert entry.payload["postings"] == [
        {"account": "assets:bank", "fund": "general", "amount": 5_000},
        {"account": "income:donations", "fund": "general", "amount": -5_000},
    ]
    assert entry.payload["references"]["counterparty"] == "Zoé"
    assert entry.actor == "bob"
    assert_ledger_invariants()


def test_anonymous_donor_name_stays_out_of_public_ledger(community):
    txn = _donate(community["bob"], 2_000, counterparty="Jean Secret", is_counterparty_public=False)
    entry = LedgerEntry.objects.get(transaction=txn)
    assert entry.payload["references"]["counterparty"] == "anonymous"
    assert "Jean Secret" not in str(entry.payload)
    assert txn.public_counterparty == "anonymous"


def test_crowdfunding_fee_is_its_own_expense_entry(community):
    income = _donate(
        community["bob"], 300_000, kind="crowdfunding", method="processor", fee_cents=15_000
    )
    fee = Transaction.objects.get(kind="fee")
    assert {p.account.code: p.amount_cents for p in fee.postings.all()} == {
        "expenses:platform-fees": 15_000,
        "assets:processor": -15_000,
    }
    assert str(income.pk) in fee.description
    assert fee.fee_of_id == income.pk
    assert fee.ledger_entry.payload["references"]["fee_of"] == income.pk
    shown = {r["account"].code: r["cents"] for r in selectors.balances()["accounts"]}
    assert shown["assets:processor"] == 285_000
    assert shown["income:crowdfunding"] == 300_000


def test_income_into_restricted_fund_shows_in_fund_balance(community):
    bob = community["bob"]
    services.create_fund(
        actor=bob,
        slug="youth-fund",
        name="Youth fund",
        is_restricted=True,
        purpose="Youth workshops",
    )
    _donate(bob, 600_000, kind="grant", fund="youth-fund")
    funds = {row["fund"].slug: row["cents"] for row in selectors.balances()["funds"]}
    assert funds == {"general": 0, "youth-fund": 600_000}
    assert JournalEntry.objects.filter(kind="treasury.fund_created").count() == 1


@pytest.mark.parametrize("amount", [0, -100])
def test_zero_or_negative_income_is_refused(community, amount):
    with pytest.raises(InvalidInput):
        _donate(community["bob"], amount)
    assert Transaction.objects.count() == 0


def test_only_treasurer_records_income(community):
    for person in (community["alice"], community["carol"], community["ada"]):
        with pytest.raises(NotTreasurer):
            _donate(person, 1_000)
    assert Transaction.objects.count() == 0


def test_duplicate_external_reference_is_refused(community):
    _donate(community["bob"], 1_000, external_reference="BANK-1")
    with pytest.raises(DuplicateReference):
        _donate(community["bob"], 1_000, external_reference="BANK-1")
    assert Transaction.objects.count() == 1


def test_income_dated_in_future_is_refused(community):
    with pytest.raises(InvalidInput, match="future"):
        services.record_income(
            actor=community["bob"],
            kind="dues",
            amount_cents=1_000,
            date=today() + dt.timedelta(days=2),
            method="cash",
        )


# --- the generic posting path ----------------------------------------------


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


def test_transfer_between_own_accounts(community):
    bob = community["bob"]
    _donate(bob, 10_000)
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


# --- budget lines from governance -------------------------------------------


def test_enacted_budget_opens_lines_with_expense_accounts_and_journals_it(community, budget):
    workshop = budget["workshop"]
    assert workshop.amount_cents == 100_000 and workshop.fund.slug == "general"
    assert workshop.account.code == f"expenses:budget-line-{workshop.pk}"
    entry = JournalEntry.objects.get(kind="budget.lines_opened")
    assert entry.payload["proposal"] == budget["proposal"].pk
    assert [line["amount"] for line in entry.payload["lines"]] == [100_000, 20_000]


def test_validate_budget_items_names_unknown_fund(community):
    with pytest.raises(InvalidInput, match="no fund “moon”"):
        services.validate_budget_items([{"purpose": "Rocket", "amount_cents": 5, "fund": "moon"}])
    cleaned = services.validate_budget_items([{"purpose": " Hall ", "amount_cents": 500}])
    assert cleaned == [{"purpose": "Hall", "amount_cents": 500, "fund": "general"}]
    with pytest.raises(InvalidInput):
        services.validate_budget_items([{"purpose": "Hall", "amount_cents": 0}])


def test_fund_choices_list_every_fund(community):
    services.create_fund(
        actor=community["bob"],
        slug="youth-fund",
        name="Youth fund",
        is_restricted=True,
        purpose="Youth",
    )
    assert selectors.fund_choices() == [("general", "General fund"), ("youth-fund", "Youth fund")]


# --- spending ----------------------------------------------------------------


def test_expense_below_threshold_posts_against_budget_line(community, budget):
    expense = _expense(community["bob"], budget["printing"], 12_000)
    assert expense.status == Expense.Status.POSTED
    txn = expense.transaction
    assert txn.proposal_id == budget["proposal"].pk
    entry = txn.ledger_entry
    assert entry.payload["references"]["proposal"] == budget["proposal"].pk
    assert entry.payload["references"]["receipt_sha256"] == expense.receipt.sha256
    status = selectors.budget_line_status(budget["printing"].pk)
    assert status.spent_cents == 12_000 and status.remaining_cents == 8_000
    assert_ledger_invariants()


def test_expense_over_remaining_budget_is_refused(community, budget):
    _expense(community["bob"], budget["printing"], 15_000)
    with pytest.raises(OverBudget, match="left"):
        _expense(community["bob"], budget["printing"], 5_001)
    assert Expense.objects.count() == 1
    assert selectors.budget_line_status(budget["printing"].pk).remaining_cents == 5_000


def test_expense_without_budget_line_is_refused(community):
    with pytest.raises(NoBudgetLine):
        services.record_expense(
            actor=community["bob"],
            budget_line_id=999,
            amount_cents=100,
            date=today(),
            description="Anything",
            payee="Anyone",
            method="bank",
            receipt_file=receipt_file(),
        )
    assert Expense.objects.count() == 0


def test_passed_budget_awaiting_enactment_has_no_line_to_spend(community):
    from tests.proposals.helpers import pass_budget

    proposal = pass_budget(
        community["alice"],
        list(community.values()),
        lines=[{"purpose": "Hall", "amount_cents": 5_000, "fund": "general"}],
        enact=False,
    )
    assert proposal.state == "passed"
    assert selectors.budget_lines(proposal_id=proposal.pk) == []
    assert selectors.fund_choices()  # the form still offers funds, but no line exists


def test_expense_needs_a_receipt_and_a_reason_to_withhold_it(community, budget):
    with pytest.raises(InvalidInput, match="receipt"):
        _expense(community["bob"], budget["printing"], 100, receipt_file=None)
    with pytest.raises(InvalidInput, match="withheld"):
        _expense(community["bob"], budget["printing"], 100, receipt_is_public=False)
    assert Expense.objects.count() == 0
    expense = _expense(
        community["bob"],
        budget["printing"],
        100,
        receipt_is_public=False,
        withheld_reason="It shows a volunteer's home address.",
    )
    assert not expense.receipt.is_public
    assert expense.transaction.ledger_entry.payload["references"]["receipt_public"] is False


# --- four eyes ---------------------------------------------------------------


def _big(budget):
    return current_parameters().second_approval_above_cents + 1


def test_expense_above_threshold_waits_for_second_approval(community, budget):
    expense = _expense(community["bob"], budget["workshop"], _big(budget))
    assert expense.status == Expense.Status.PENDING
    assert Transaction.objects.count() == 0
    status = selectors.budget_line_status(budget["workshop"].pk)
    assert status.pending_cents == expense.amount_cents


def test_nobody_approves_their_own_expense(community, budget):
    expense = _expense(community["bob"], budget["workshop"], _big(budget))
    with pytest.raises(SelfApproval):
        services.approve_expense(actor=community["bob"], expense_id=expense.pk)
    expense.refresh_from_db()
    assert expense.status == Expense.Status.PENDING
    assert Transaction.objects.count() == 0


def test_steward_approves_and_expense_is_posted_with_both_names(community, budget):
    expense = _expense(community["bob"], budget["workshop"], _big(budget))
    services.approve_expense(actor=community["carol"], expense_id=expense.pk)
    expense.refresh_from_db()
    assert expense.status == Expense.Status.POSTED
    references = expense.transaction.ledger_entry.payload["references"]
    assert references["recorded_by"] == "bob" and references["approved_by"] == "carol"
    assert expense.transaction.ledger_entry.actor == "carol"
    with pytest.raises(Conflict):
        services.approve_expense(actor=community["carol"], expense_id=expense.pk)
    assert_ledger_invariants()


def test_second_treasurer_can_approve(community, budget):
    dora = make_member("dora")
    appoint_treasurer(community, dora)
    expense = _expense(community["bob"], budget["workshop"], _big(budget))
    services.approve_expense(actor=dora, expense_id=expense.pk)
    expense.refresh_from_db()
    assert expense.status == Expense.Status.POSTED


@pytest.mark.parametrize("who", ["alice", "ada"])
def test_member_or_auditor_cannot_approve(community, budget, who):
    expense = _expense(community["bob"], budget["workshop"], _big(budget))
    with pytest.raises(NotAllowed):
        services.approve_expense(actor=community[who], expense_id=expense.pk)


def test_declined_expense_frees_the_budget(community, budget):
    expense = _expense(community["bob"], budget["workshop"], _big(budget))
    with pytest.raises(InvalidInput):
        services.decline_expense(actor=community["carol"], expense_id=expense.pk, reason="  ")
    services.decline_expense(actor=community["carol"], expense_id=expense.pk, reason="No quote")
    expense.refresh_from_db()
    assert expense.status == Expense.Status.DECLINED
    assert selectors.budget_line_status(budget["workshop"].pk).remaining_cents == 100_000


def test_pending_expenses_count_against_the_line(community, budget):
    first = _expense(community["bob"], budget["workshop"], 60_000)
    assert first.status == Expense.Status.PENDING
    with pytest.raises(OverBudget):
        _expense(community["bob"], budget["workshop"], 40_001)


# --- reversals ---------------------------------------------------------------


def test_reversal_mirrors_original_and_links_to_it(community, budget):
    expense = _expense(community["bob"], budget["printing"], 20_000)
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
    txn = _donate(community["bob"], 1_000)
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
    txn = _donate(community["bob"], 1_000)
    with pytest.raises(NotAllowed):
        services.reverse_transaction(actor=community["carol"], transaction_id=txn.pk, reason="No")


# --- audit --------------------------------------------------------------------


def test_auditor_attests_verified_head_and_it_is_journaled(community):
    _donate(community["bob"], 1_000)
    seq, head = selectors.ledger_head()
    attestation = services.attest_audit(
        actor=community["ada"],
        period_start=dt.date(2025, 1, 1),
        period_end=today(),
        ledger_head_seq=seq,
        ledger_head_hash=head,
        statement="The books are in order.",
    )
    entry = JournalEntry.objects.get(kind="audit.attested")
    assert attestation.journal_seq == entry.seq
    assert entry.payload["ledger_head_hash"] == head
    assert entry.actor == "ada"


def test_attestation_of_unknown_head_or_by_non_auditor_is_refused(community):
    _donate(community["bob"], 1_000)
    seq, head = selectors.ledger_head()
    kwargs = dict(period_start=dt.date(2025, 1, 1), period_end=today(), statement="OK")
    with pytest.raises(InvalidInput, match="no entry"):
        services.attest_audit(
            actor=community["ada"], ledger_head_seq=seq, ledger_head_hash="0" * 64, **kwargs
        )
    with pytest.raises(NotAllowed):
        services.attest_audit(
            actor=community["bob"], ledger_head_seq=seq, ledger_head_hash=head, **kwargs
        )
    assert not JournalEntry.objects.filter(kind="audit.attested").exists()


def test_absurdly_large_amounts_are_refused_before_they_reach_the_ledger():
    from kernel.errors import InvalidInput
    from treasury.money import MAX_AMOUNT_CENTS, parse_amount

    with pytest.raises(InvalidInput, match="too large"):
        parse_amount("92233720368547758.07")
    with pytest.raises(InvalidInput, match="too large"):
        parse_amount("99999999999999999999")
    assert parse_amount("1000000000") == MAX_AMOUNT_CENTS
