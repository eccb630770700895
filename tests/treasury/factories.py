"""factory-boy factories for the treasury. They go through the services, as
the database guards require (a row written around them is refused): budget
lines are opened by a budget proposal the community passes and enacts,
income is recorded by `record_income`, expenses by `record_expense`.

Money is recorded by the community's treasurer unless `actor=` says who, so a
test of the treasurer rule passes someone else:

    IncomeFactory(amount_cents=5_000, counterparty="Zoé", is_counterparty_public=True)
    ExpenseFactory(budget_line=line, amount_cents=12_000)
    BudgetFactory(lines=[{"purpose": "Hall", "amount_cents": 5_000, "fund": "general"}])
"""

from __future__ import annotations

import factory

from members.models import Member, Membership, RoleAssignment
from members.roles import Role
from proposals.models import Proposal
from tests.proposals.helpers import pass_budget
from tests.treasury.helpers import receipt_file, today
from treasury import services
from treasury.chart_of_accounts import GENERAL_FUND_SLUG
from treasury.models import BudgetLine, Expense, PaymentMethod, Transaction, TransactionKind


def community_treasurer() -> Member:
    """The first treasurer appointed (the `community` fixture's bob)."""
    assignment = (
        RoleAssignment.objects.filter(role=Role.TREASURER, revoked_at__isnull=True)
        .select_related("member")
        .order_by("pk")
        .first()
    )
    if assignment is None:
        raise AssertionError("recording money needs a treasurer: use the `community` fixture")
    return assignment.member


def community_members() -> list[Member]:
    """Every member in good standing, oldest first: the voters of a budget."""
    return list(Member.objects.filter(membership__status=Membership.Status.MEMBER).order_by("pk"))


class BudgetFactory(factory.Factory):
    """An enacted budget proposal: drafted by the first voter, approved by
    every voter, enacted now, so each of its `lines` opens a budget line."""

    class Meta:
        model = Proposal

    voters = factory.LazyFunction(community_members)
    author = factory.LazyAttribute(lambda o: o.voters[0])
    lines = factory.LazyFunction(
        lambda: [{"purpose": "Workshop", "amount_cents": 100_000, "fund": GENERAL_FUND_SLUG}]
    )

    @classmethod
    def _create(cls, model_class, *, voters, author, lines):
        proposal = pass_budget(author, list(voters), lines=lines)
        assert proposal.state == "enacted", proposal.state
        return proposal


class BudgetLineFactory(factory.Factory):
    """One budget line, voted alone in its own enacted budget."""

    class Meta:
        model = BudgetLine

    purpose = factory.Sequence(lambda n: f"Budget line {n}")
    amount_cents = 100_000
    fund = GENERAL_FUND_SLUG
    voters = factory.LazyFunction(community_members)

    @classmethod
    def _create(cls, model_class, *, purpose, amount_cents, fund, voters):
        line = {"purpose": purpose, "amount_cents": amount_cents, "fund": fund}
        return BudgetFactory(voters=voters, lines=[line]).budget_lines.get()


class IncomeFactory(factory.Factory):
    """Income recorded by `services.record_income`: by default a donation of
    50.00 into the bank, today, in the general fund."""

    class Meta:
        model = Transaction

    actor = factory.LazyFunction(community_treasurer)
    kind = TransactionKind.DONATION
    amount_cents = 5_000
    date = factory.LazyFunction(today)
    method = PaymentMethod.BANK

    @classmethod
    def _create(cls, model_class, **fields):
        return services.record_income(**fields)


class ExpenseFactory(factory.Factory):
    """An expense recorded by `services.record_expense` against `budget_line`,
    paid by bank today, with a public text receipt. Above the bylaws'
    threshold it waits for approval, as any other."""

    class Meta:
        model = Expense

    actor = factory.LazyFunction(community_treasurer)
    budget_line = factory.SubFactory(BudgetLineFactory)
    amount_cents = 10_000
    date = factory.LazyFunction(today)
    description = "Chairs"
    payee = "Furniture Co"
    method = PaymentMethod.BANK
    receipt_file = factory.LazyFunction(receipt_file)

    @classmethod
    def _create(cls, model_class, *, budget_line, **fields):
        return services.record_expense(budget_line_id=budget_line.pk, **fields)
