"""The demo year goes through the real services and leaves a valid ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from demo.treasury import YOUTH_FUND, create_demo_funds, seed_treasury
from governance.models import JournalEntry
from tests.factories import found, make_member
from tests.treasury.factories import BudgetFactory
from tests.treasury.helpers import assert_ledger_invariants
from treasury import selectors, services
from treasury.models import AuditAttestation, Expense, Transaction


@pytest.fixture
def community(db):
    """The demo's books span the past year, and the treasury refuses dates
    before the founding act: the community is founded a little over a year ago."""
    with time_machine.travel(timezone.now() - timedelta(days=400), tick=True):
        people = {name: make_member(name) for name in ("alice", "bob", "carol", "ada")}
        found(
            founders=[people["alice"]],
            appointments={
                "treasurer": [people["bob"]],
                "steward": [people["carol"]],
                "auditor": [people["ada"]],
            },
        )
    return people


def test_demo_year_is_valid_and_tells_the_funding_story(community):
    create_demo_funds(treasurer=community["bob"])
    proposal = BudgetFactory(
        author=community["alice"],
        voters=list(community.values()),
        lines=[
            {"purpose": "Youth workshops", "amount_cents": 600_000, "fund": YOUTH_FUND},
            {"purpose": "Hall rental", "amount_cents": 300_000, "fund": "general"},
        ],
    )
    seed_treasury(
        treasurer=community["bob"],
        steward=community["carol"],
        auditor=community["ada"],
        budget_proposal=proposal,
    )
    assert_ledger_invariants()
    income = {
        code: total
        for (code, _name), total in zip(
            selectors.income_by_source_and_month()["sources"],
            selectors.income_by_source_and_month()["totals"],
            strict=True,
        )
    }
    assert income["income:grants"] == 1_200_000
    assert income["income:crowdfunding"] == 300_000 and income["income:patronage"] == 300_000
    assert Transaction.objects.filter(kind="fee").count() == 1
    assert Transaction.objects.filter(kind="reversal").count() == 1
    assert Expense.objects.filter(decided_by=community["carol"]).exists()
    assert Expense.objects.filter(receipt__is_public=False).count() == 1
    assert AuditAttestation.objects.count() == 1
    assert JournalEntry.objects.filter(kind="audit.attested").exists()
    youth = next(r for r in selectors.balances()["funds"] if r["fund"].slug == YOUTH_FUND)
    assert 0 < youth["cents"] < 600_000
    count = Transaction.objects.count()
    seed_treasury(
        treasurer=community["bob"],
        steward=community["carol"],
        auditor=community["ada"],
        budget_proposal=proposal,
    )
    assert Transaction.objects.count() == count


def test_demo_with_the_lead_budget_keeps_every_fund_positive(community):
    bob = community["bob"]
    create_demo_funds(treasurer=bob)
    services.create_fund(
        actor=bob,
        slug="public-grant",
        name="Regional public grant",
        is_restricted=True,
        purpose="The shared-hosting project",
    )
    proposal = BudgetFactory(
        author=community["alice"],
        voters=list(community.values()),
        lines=[
            {"purpose": "Servers and hosting", "amount_cents": 600_000, "fund": "public-grant"},
            {"purpose": "Youth hosts programme", "amount_cents": 600_000, "fund": YOUTH_FUND},
            {"purpose": "Development sprint", "amount_cents": 450_000, "fund": "general"},
            {"purpose": "Meetings and travel", "amount_cents": 150_000, "fund": "general"},
        ],
    )
    seed_treasury(
        treasurer=bob,
        steward=community["carol"],
        auditor=community["ada"],
        budget_proposal=proposal,
    )
    assert_ledger_invariants()
    funds = {row["fund"].slug: row["cents"] for row in selectors.balances()["funds"]}
    assert all(cents > 0 for cents in funds.values()), funds
