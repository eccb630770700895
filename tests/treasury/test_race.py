"""Two treasurers spending the last of a budget line at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.factories import make_member
from tests.treasury.conftest import receipt_file
from tests.treasury.helpers import appoint_treasurer, assert_ledger_invariants, today
from treasury import services
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
            expense = services.record_expense(
                actor=treasurer,
                budget_line_id=line.pk,
                amount_cents=15_000,
                date=today(),
                description=f"Print run by {treasurer.username}",
                payee="PrintCo",
                method="bank",
                receipt_file=receipt_file(),
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
