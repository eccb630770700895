"""Two treasurers spending the last of a budget line at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.factories import make_member
from tests.treasury.factories import ExpenseFactory
from tests.treasury.helpers import appoint_treasurer, assert_ledger_invariants, today
from treasury.errors import OverBudget
from treasury.models import Expense


@pytest.mark.django_db(transaction=True)
def test_concurrent_expenses_cannot_overspend_a_line(community, budget):
    dora = make_member("dora")
    appoint_treasurer(community, dora)
    line = budget["printing"]  # 200.00, below the approval threshold
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def spend(treasurer):
        try:
            barrier.wait(timeout=10)
            expense = ExpenseFactory(
                actor=treasurer,
                budget_line=line,
                amount_cents=15_000,
                description=f"Print run by {treasurer.username}",
                payee="PrintCo",
            )
            outcomes.append(str(expense.status))
        except OverBudget as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=spend, args=(p,)) for p in (community["bob"], dora)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2
    assert outcomes.count("posted") == 1
    assert [type(o) for o in outcomes if o != "posted"] == [OverBudget]
    assert Expense.objects.filter(status="posted").count() == 1
    assert_ledger_invariants()


@pytest.mark.django_db(transaction=True)
def test_two_connections_writing_postings_directly_cannot_overspend_a_line(community, budget):
    """Below the services: two connections insert postings on one budget line
    at the same moment, each within the allocation alone, together beyond it.
    Under PostgreSQL's READ COMMITTED both over-budget checks could read the
    line's spending before either commits; the guard locks the line first, so
    the second waits, then sees the first posting and is refused."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from treasury.models import Account, Fund, Posting, Transaction

    line = budget["printing"]  # 200.00
    account = Account.objects.get(budget_line=line)
    general = Fund.objects.get(slug="general")
    first_holds_the_line = threading.Event()
    outcomes: dict[str, object] = {}

    def spend(name: str, *, first: bool) -> None:
        try:
            if not first:
                first_holds_the_line.wait(timeout=10)
            with transaction.atomic():
                draft = Transaction.objects.create(
                    date=today(),
                    description=f"Direct write {name}",
                    kind="expense",
                    recorded_by=community["bob"],
                    budget_line=line,
                    posted_at=timezone.now(),
                )
                Posting.objects.create(
                    transaction=draft, account=account, fund=general, amount_cents=15_000
                )
                if first:
                    first_holds_the_line.set()
                    # Give the second connection time to reach the guard.
                    threading.Event().wait(1.0)
            outcomes[name] = "written"
        except IntegrityError as error:
            outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=spend, args=("first",), kwargs={"first": True}),
        threading.Thread(target=spend, args=("second",), kwargs={"first": False}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes["first"] == "written"
    assert "spending cannot exceed the allocation" in str(outcomes["second"])
    assert sum(Posting.objects.filter(account=account).values_list("amount_cents", flat=True)) == (
        15_000
    )
