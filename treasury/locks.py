"""Row locks of the treasury: every read-then-write of a service locks here.

Each lock is `select_for_update(of=("self",))`: the row itself, not the rows
joined to it for reading (a budget line's fund and proposal stay free).
Rows of one table are locked in primary-key order, so two services locking
several never wait on each other in opposite orders; a service locking rows
of two tables takes the expense before its budget line (`approve_expense`).
On SQLite `select_for_update` does nothing: there `BEGIN IMMEDIATE`
serializes writers, so the same code is safe on both databases.

The ledger guard takes the same budget-line lock in the database before it
checks a posting against the allocation (`treasury/triggers.py`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from treasury.errors import NoBudgetLine
from treasury.models import BudgetLine, Expense, Transaction


def _lock(queryset: QuerySet, pks: Iterable[int]) -> list[Model]:
    """The rows of `queryset` with these keys, locked in primary-key order."""
    return list(
        queryset.select_for_update(of=("self",)).filter(pk__in=sorted(set(pks))).order_by("pk")
    )


def lock_budget_line(pk: int) -> BudgetLine:
    """The one place that locks a budget line before its spending is checked."""
    found = _lock(BudgetLine.objects.select_related("fund", "proposal"), [pk])
    if not found:
        raise NoBudgetLine(
            _(
                "Spending draws only on a budget line voted in an enacted budget proposal; "
                "this budget line does not exist."
            )
        )
    return found[0]


def lock_expense(pk: int) -> Expense:
    """An expense, locked before it is approved or declined."""
    found = _lock(Expense.objects.select_related("recorded_by", "receipt"), [pk])
    if not found:
        raise NotFound(_("There is no such expense."))
    return found[0]


def lock_posted_transaction(pk: int) -> Transaction:
    """A posted transaction, locked before it is reversed."""
    found = _lock(
        Transaction.objects.select_related("budget_line", "receipt").filter(
            status=Transaction.Status.POSTED
        ),
        [pk],
    )
    if not found:
        raise NotFound(_("There is no such posted transaction."))
    return found[0]
