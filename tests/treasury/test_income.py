"""Income: donations, dues, grants, crowdfunding and patronage, and the
platform fees withheld from them (`treasury.services.income`)."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.errors import InvalidInput
from tests.treasury.factories import IncomeFactory
from tests.treasury.helpers import assert_ledger_invariants, today
from treasury import selectors, services
from treasury.errors import NotTreasurer
from treasury.models import LedgerEntry, Transaction


def test_donation_posts_balanced_transaction_into_ledger_chain(community):
    txn = IncomeFactory(
        actor=community["bob"], amount_cents=5_000, counterparty="Zoé", is_counterparty_public=True
    )
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
    txn = IncomeFactory(
        actor=community["bob"],
        amount_cents=2_000,
        counterparty="Jean Secret",
        is_counterparty_public=False,
    )
    entry = LedgerEntry.objects.get(transaction=txn)
    assert entry.payload["references"]["counterparty"] == "anonymous"
    assert "Jean Secret" not in str(entry.payload)
    assert txn.public_counterparty == "anonymous"


def test_crowdfunding_fee_is_its_own_expense_entry(community):
    income = IncomeFactory(
        actor=community["bob"],
        amount_cents=300_000,
        kind="crowdfunding",
        method="processor",
        fee_cents=15_000,
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


@pytest.mark.parametrize("amount", [0, -100])
def test_zero_or_negative_income_is_refused(community, amount):
    with pytest.raises(InvalidInput):
        IncomeFactory(actor=community["bob"], amount_cents=amount)
    assert Transaction.objects.count() == 0


def test_only_treasurer_records_income(community):
    for person in (community["alice"], community["carol"], community["ada"]):
        with pytest.raises(NotTreasurer):
            IncomeFactory(actor=person, amount_cents=1_000)
    assert Transaction.objects.count() == 0


def test_income_dated_in_future_is_refused(community):
    with pytest.raises(InvalidInput, match="future"):
        services.record_income(
            actor=community["bob"],
            kind="dues",
            amount_cents=1_000,
            date=today() + dt.timedelta(days=2),
            method="cash",
        )


def test_income_dated_before_the_founding_is_refused_and_the_founding_day_is_not(db, settings):
    import time_machine

    from tests.factories import found, make_member

    # Founded late in the evening in UTC, already the next day in Paris: the
    # books begin on the community's own calendar day.
    settings.TIME_ZONE = "Europe/Paris"
    alice, bob = make_member("alice"), make_member("bob")
    with time_machine.travel(dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC), tick=False):
        found(founders=[alice], appointments={"treasurer": [bob]})

    def dues_on(day):
        return services.record_income(
            actor=bob, kind="dues", amount_cents=1_000, date=day, method="cash"
        )

    with pytest.raises(InvalidInput, match="before the community's founding") as refused:
        dues_on(dt.date(2026, 3, 10))
    assert refused.value.code == "before_founding"
    assert "11 March 2026" in refused.value.message
    assert not Transaction.objects.exists()
    assert dues_on(dt.date(2026, 3, 11)).date == dt.date(2026, 3, 11)


def test_an_expense_dated_before_the_founding_is_refused(community):
    from tests.treasury.factories import BudgetLineFactory, ExpenseFactory

    line = BudgetLineFactory()
    with pytest.raises(InvalidInput, match="before the community's founding"):
        ExpenseFactory(budget_line=line, date=today() - dt.timedelta(days=1))
    assert ExpenseFactory(budget_line=line, date=today()).amount_cents == 10_000
