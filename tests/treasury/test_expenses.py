"""Spending against voted budget lines, receipts, and four eyes
(`treasury.services.expenses`)."""

from __future__ import annotations

import pytest

from governance.selectors import current_parameters
from kernel.errors import Conflict, InvalidInput, NotAllowed
from tests.factories import make_member
from tests.treasury.factories import ExpenseFactory
from tests.treasury.helpers import (
    appoint_treasurer,
    assert_ledger_invariants,
    receipt_file,
    today,
)
from treasury import selectors, services
from treasury.errors import NoBudgetLine, OverBudget, SelfApproval
from treasury.models import Expense, Transaction


def test_expense_below_threshold_posts_against_budget_line(community, budget):
    expense = ExpenseFactory(
        actor=community["bob"], budget_line=budget["printing"], amount_cents=12_000
    )
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
    ExpenseFactory(actor=community["bob"], budget_line=budget["printing"], amount_cents=15_000)
    with pytest.raises(OverBudget, match="left"):
        ExpenseFactory(actor=community["bob"], budget_line=budget["printing"], amount_cents=5_001)
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


def test_expense_needs_a_receipt_and_a_reason_to_withhold_it(community, budget):
    with pytest.raises(InvalidInput, match="receipt"):
        ExpenseFactory(
            actor=community["bob"],
            budget_line=budget["printing"],
            amount_cents=100,
            receipt_file=None,
        )
    with pytest.raises(InvalidInput, match="withheld"):
        ExpenseFactory(
            actor=community["bob"],
            budget_line=budget["printing"],
            amount_cents=100,
            receipt_is_public=False,
        )
    assert Expense.objects.count() == 0
    expense = ExpenseFactory(
        actor=community["bob"],
        budget_line=budget["printing"],
        amount_cents=100,
        receipt_is_public=False,
        withheld_reason="It shows a volunteer's home address.",
    )
    assert not expense.receipt.is_public
    assert expense.transaction.ledger_entry.payload["references"]["receipt_public"] is False


def _big(budget):
    return current_parameters().second_approval_above_cents + 1


def test_expense_above_threshold_waits_for_second_approval(community, budget):
    expense = ExpenseFactory(
        actor=community["bob"], budget_line=budget["workshop"], amount_cents=_big(budget)
    )
    assert expense.status == Expense.Status.PENDING
    assert Transaction.objects.count() == 0
    status = selectors.budget_line_status(budget["workshop"].pk)
    assert status.pending_cents == expense.amount_cents


def test_nobody_approves_their_own_expense(community, budget):
    expense = ExpenseFactory(
        actor=community["bob"], budget_line=budget["workshop"], amount_cents=_big(budget)
    )
    with pytest.raises(SelfApproval):
        services.approve_expense(actor=community["bob"], expense_id=expense.pk)
    expense.refresh_from_db()
    assert expense.status == Expense.Status.PENDING
    assert Transaction.objects.count() == 0


def test_steward_approves_and_expense_is_posted_with_both_names(community, budget):
    expense = ExpenseFactory(
        actor=community["bob"], budget_line=budget["workshop"], amount_cents=_big(budget)
    )
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
    expense = ExpenseFactory(
        actor=community["bob"], budget_line=budget["workshop"], amount_cents=_big(budget)
    )
    services.approve_expense(actor=dora, expense_id=expense.pk)
    expense.refresh_from_db()
    assert expense.status == Expense.Status.POSTED


@pytest.mark.parametrize("who", ["alice", "ada"])
def test_member_or_auditor_cannot_approve(community, budget, who):
    expense = ExpenseFactory(
        actor=community["bob"], budget_line=budget["workshop"], amount_cents=_big(budget)
    )
    with pytest.raises(NotAllowed):
        services.approve_expense(actor=community[who], expense_id=expense.pk)


def test_declined_expense_frees_the_budget(community, budget):
    expense = ExpenseFactory(
        actor=community["bob"], budget_line=budget["workshop"], amount_cents=_big(budget)
    )
    with pytest.raises(InvalidInput):
        services.decline_expense(actor=community["carol"], expense_id=expense.pk, reason="  ")
    services.decline_expense(actor=community["carol"], expense_id=expense.pk, reason="No quote")
    expense.refresh_from_db()
    assert expense.status == Expense.Status.DECLINED
    assert selectors.budget_line_status(budget["workshop"].pk).remaining_cents == 100_000


def test_pending_expenses_count_against_the_line(community, budget):
    first = ExpenseFactory(
        actor=community["bob"], budget_line=budget["workshop"], amount_cents=60_000
    )
    assert first.status == Expense.Status.PENDING
    with pytest.raises(OverBudget):
        ExpenseFactory(actor=community["bob"], budget_line=budget["workshop"], amount_cents=40_001)
