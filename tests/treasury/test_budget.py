"""Budget lines from governance: checking a budget proposal's lines and
opening them on enactment (`treasury.services.budget`)."""

from __future__ import annotations

import pytest

from governance.models import JournalEntry
from kernel.errors import InvalidInput
from treasury import selectors, services


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
