"""A hypothesis state machine: random sequences of treasury operations, good
and bad, never break an invariant of the ledger."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kernel.errors import DomainError
from tests.treasury.factories import BudgetFactory
from tests.treasury.helpers import assert_ledger_invariants, receipt_file, today
from treasury import services
from treasury.models import Expense, Transaction

amounts = st.integers(min_value=-500, max_value=60_000)


@pytest.mark.django_db
def test_random_operations_keep_every_invariant(community):
    lines = list(
        BudgetFactory(
            author=community["alice"],
            voters=list(community.values()),
            lines=[
                {"purpose": "Hall", "amount_cents": 80_000, "fund": "general"},
                {"purpose": "Snacks", "amount_cents": 5_000, "fund": "general"},
            ],
        ).budget_lines.order_by("pk")
    )
    people = community

    class Treasury(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            # Each run starts from the same voted budget and rolls back after.
            self.savepoint = transaction.atomic()
            self.savepoint.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

        @initialize()
        def start(self):
            self.refused = 0

        def attempt(self, operation, **kwargs):
            try:
                with transaction.atomic():
                    operation(**kwargs)
            except DomainError:
                self.refused += 1

        @rule(amount=amounts, kind=st.sampled_from(["donation", "dues", "grant"]))
        def income(self, amount, kind):
            self.attempt(
                services.record_income,
                actor=people["bob"],
                kind=kind,
                amount_cents=amount,
                date=today(),
                method="bank",
            )

        @rule(amount=amounts, line=st.sampled_from(range(2)), who=st.sampled_from(["bob", "carol"]))
        def expense(self, amount, line, who):
            self.attempt(
                services.record_expense,
                actor=people[who],
                budget_line_id=lines[line].pk,
                amount_cents=amount,
                date=today(),
                description="Stuff",
                payee="Shop",
                method="bank",
                receipt_file=receipt_file(),
            )

        @rule(who=st.sampled_from(["bob", "carol", "alice"]))
        def approve_oldest(self, who):
            pending = Expense.objects.filter(status="pending").order_by("pk").first()
            if pending is not None:
                self.attempt(services.approve_expense, actor=people[who], expense_id=pending.pk)

        @rule(pick=st.integers(min_value=0, max_value=50))
        def reverse(self, pick):
            ids = list(Transaction.objects.order_by("pk").values_list("pk", flat=True))
            if ids:
                self.attempt(
                    services.reverse_transaction,
                    actor=people["bob"],
                    transaction_id=ids[pick % len(ids)],
                    reason="Correction",
                )

        @rule(amount=amounts)
        def unbalanced(self, amount):
            self.attempt(
                services.post_transaction,
                actor=people["bob"],
                date=today(),
                description="Raw",
                kind="transfer",
                postings=[
                    {"account": "assets:bank", "fund": "general", "amount": amount},
                    {"account": "assets:cash", "fund": "general", "amount": -amount + 1},
                ],
            )

        @invariant()
        def ledger_holds(self):
            assert_ledger_invariants()

    Treasury.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    Treasury.TestCase().runTest()
