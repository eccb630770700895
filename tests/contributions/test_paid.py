"""Paid contributions: a community need drawing on a budget line is paid by
an expense through the treasury's own rules, and earns no credits; the
expense and the time ledger entry name each other."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contributions import services
from contributions.errors import NoMoneyLeft
from contributions.models import TimeEntry, TimeTransfer
from tests.contributions.factories import HoursFactory, OfferFactory
from tests.contributions.helpers import assert_time_ledger_invariants, balance_of, window
from tests.treasury.factories import BudgetLineFactory
from tests.treasury.helpers import assert_ledger_invariants
from treasury.errors import NotTreasurer, OverBudget
from treasury.models import Expense, LedgerEntry

pytestmark = pytest.mark.django_db


def paid_need(people, line, *, pay=2_000, minutes=120):
    return services.post_need(
        actor=people["bob"],
        title="Translate the charter",
        description="Into Spanish.",
        estimated_minutes=minutes,
        is_online=True,
        is_community=True,
        beneficiary_role="treasurer",
        budget_line_id=line.pk,
        hourly_pay_cents=pay,
        **window(),
    )


def test_confirmed_paid_hours_are_an_expense_on_the_line_and_earn_no_credits(people):
    line = BudgetLineFactory(purpose="Translation", amount_cents=10_000)
    need = paid_need(people, line)
    offer = OfferFactory(need=need, member=people["dave"], accepted=True)
    hours = HoursFactory(offer=offer, minutes=90)
    services.confirm_contribution(actor=people["bob"], contribution_id=hours.pk)
    expense = Expense.objects.get()
    assert (expense.budget_line, expense.amount_cents, expense.status) == (line, 3_000, "posted")
    assert f"Paid contribution #{hours.pk}" in expense.description
    transfer = TimeTransfer.objects.get()
    assert transfer.kind == "paid" and transfer.expense == expense and transfer.credits == 0
    entry = TimeEntry.objects.get()
    assert entry.payload["references"]["expense"] == expense.pk
    assert "postings" not in entry.payload
    ledger = LedgerEntry.objects.get(transaction=expense.transaction)
    assert f"Paid contribution #{hours.pk}" in ledger.payload["description"]
    assert balance_of(people["dave"]) == 0
    assert_time_ledger_invariants()
    assert_ledger_invariants()


def test_paid_work_is_confirmed_by_a_treasurer_through_the_treasury_rules(people, voters):
    line = BudgetLineFactory(purpose="Translation", amount_cents=10_000)
    need = paid_need(people, line)
    offer = OfferFactory(need=need, member=people["dave"], accepted=True)
    hours = HoursFactory(offer=offer, minutes=60)
    services.close_need(actor=people["bob"], need_id=need.pk, state="done")
    assert hours.need.beneficiary_role == "treasurer"
    with pytest.raises(Exception, match="beneficiary"):
        services.confirm_contribution(actor=people["carol"], contribution_id=hours.pk)
    assert not Expense.objects.exists()


def test_a_paid_need_whose_line_has_no_money_left_is_refused(people):
    line = BudgetLineFactory(purpose="Translation", amount_cents=4_000)
    need = paid_need(people, line, minutes=120)
    first = OfferFactory(need=need, member=people["dave"], accepted=True)
    hours = HoursFactory(offer=first, minutes=120)
    services.confirm_contribution(actor=people["bob"], contribution_id=hours.pk)
    with pytest.raises(NoMoneyLeft, match=r"0\.00 EUR left"):
        paid_need(people, line, minutes=1)
    more = HoursFactory(offer=first, minutes=1, worked_on=hours.worked_on)
    with pytest.raises(OverBudget):
        services.confirm_contribution(actor=people["bob"], contribution_id=more.pk)
    assert TimeEntry.objects.count() == 1


def test_above_the_threshold_the_expense_waits_for_a_second_approver(people):
    line = BudgetLineFactory(purpose="Translation", amount_cents=200_000)
    need = paid_need(people, line, pay=30_000, minutes=240)
    offer = OfferFactory(need=need, member=people["dave"], accepted=True)
    hours = HoursFactory(offer=offer, minutes=120)
    services.confirm_contribution(actor=people["bob"], contribution_id=hours.pk)
    expense = Expense.objects.get()
    assert expense.status == "pending" and expense.amount_cents == 60_000
    assert TimeEntry.objects.get().payload["references"]["expense"] == expense.pk
    from treasury import services as treasury

    treasury.approve_expense(actor=people["carol"], expense_id=expense.pk)
    assert Expense.objects.get().status == "posted"


def test_a_steward_reviewing_paid_work_must_be_a_treasurer_to_pay_it(people):
    line = BudgetLineFactory(purpose="Translation", amount_cents=10_000)
    need = paid_need(people, line)
    offer = OfferFactory(need=need, member=people["dave"], accepted=True)
    hours = HoursFactory(offer=offer, minutes=60)
    services.refuse_contribution(actor=people["bob"], contribution_id=hours.pk, reason="Late.")
    services.request_review(actor=people["dave"], contribution_id=hours.pk)
    with pytest.raises(NotTreasurer):
        services.decide_review(actor=people["carol"], contribution_id=hours.pk, confirm=True)
    services.decide_review(
        actor=people["carol"],
        contribution_id=hours.pk,
        confirm=False,
        reason="Late work is not paid.",
    )


def test_the_need_page_shows_where_each_payment_stands(people, client):
    """Hours are confirmed once; the money follows the four-eyes rule, and the
    page says which step it is at, up to a decline and its reason."""
    from treasury import services as treasury

    line = BudgetLineFactory(purpose="Translation", amount_cents=400_000)
    need = paid_need(people, line, pay=30_000, minutes=600)
    offer = OfferFactory(need=need, member=people["dave"], accepted=True)
    first, second = (HoursFactory(offer=offer, minutes=120) for _ in range(2))
    for hours in (first, second):
        services.confirm_contribution(actor=people["bob"], contribution_id=hours.pk)
    one, two = Expense.objects.order_by("pk")
    page = reverse("contributions:need", args=[need.pk])

    client.force_login(people["dave"])
    text = client.get(page).content.decode()
    assert text.count("waiting for a second treasurer's approval") == 2
    assert reverse("treasury:approvals") not in text
    client.force_login(people["carol"])
    assert reverse("treasury:approvals") in client.get(page).content.decode()

    treasury.approve_expense(actor=people["carol"], expense_id=one.pk)
    treasury.decline_expense(actor=people["carol"], expense_id=two.pk, reason="Twice the same day.")
    client.logout()
    text = client.get(page).content.decode()
    posted = reverse("treasury:transaction", args=[Expense.objects.get(pk=one.pk).transaction_id])
    assert f'<a href="{posted}">Paid 600.00 EUR (expense #{one.pk}).</a>' in text
    assert f"(expense #{two.pk}) declined by the treasury: Twice the same day." in text
    assert "waiting for a second" not in text
