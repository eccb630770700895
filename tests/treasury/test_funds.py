"""Funds: opening general or restricted funds (`treasury.services.funds`)."""

from __future__ import annotations

from governance.models import JournalEntry
from tests.treasury.factories import IncomeFactory
from treasury import selectors, services


def test_income_into_restricted_fund_shows_in_fund_balance(community):
    bob = community["bob"]
    services.create_fund(
        actor=bob,
        slug="youth-fund",
        name="Youth fund",
        is_restricted=True,
        purpose="Youth workshops",
    )
    IncomeFactory(actor=bob, amount_cents=600_000, kind="grant", fund="youth-fund")
    funds = {row["fund"].slug: row["cents"] for row in selectors.balances()["funds"]}
    assert funds == {"general": 0, "youth-fund": 600_000}
    assert JournalEntry.objects.filter(kind="treasury.fund_created").count() == 1


def test_fund_choices_list_every_fund(community):
    services.create_fund(
        actor=community["bob"],
        slug="youth-fund",
        name="Youth fund",
        is_restricted=True,
        purpose="Youth",
    )
    assert selectors.fund_choices() == [("general", "General fund"), ("youth-fund", "Youth fund")]
