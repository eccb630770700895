"""Helpers for treasury tests: amounts today, receipts, appointed treasurers,
ledger invariants."""

from __future__ import annotations

import datetime as dt
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.utils import timezone

from kernel import chain
from members.roles import Role
from tests.proposals.helpers import pass_proposal
from treasury.models import (
    Account,
    AccountType,
    BudgetLine,
    LedgerEntry,
    Posting,
    Transaction,
)
from treasury.selectors import balances


def today() -> dt.date:
    return timezone.now().date()


def receipt_file(name="receipt.txt", content=b"Invoice 42: chairs, 120.00 EUR\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def appoint_treasurer(community, member) -> None:
    """Make ``member`` a treasurer the only way there is: an appointment
    proposal the community passes by vote and that is enacted now."""
    proposal = pass_proposal(
        community["alice"],
        list(community.values()),
        kind="appointment",
        title=f"Appoint {member.get_username()} treasurer",
        appointments=[{"member": member.get_username(), "role": Role.TREASURER, "action": "grant"}],
    )
    assert proposal.state == "enacted", proposal.state


def assert_ledger_invariants() -> None:
    """Every transaction balances with 2+ postings; every account balance is
    the sum of its postings; no budget line is overspent; the chain links up."""
    for txn in Transaction.objects.prefetch_related("postings"):
        amounts = [p.amount_cents for p in txn.postings.all()]
        assert txn.status == Transaction.Status.POSTED
        assert len(amounts) >= 2 and sum(amounts) == 0, (txn.pk, amounts)
        assert all(a != 0 for a in amounts)
    total = Posting.objects.aggregate(total=Sum("amount_cents"))["total"] or 0
    assert total == 0
    shown = {row["account"].code: row["cents"] for row in balances()["accounts"]}
    for account in Account.objects.all():
        raw = Posting.objects.filter(account=account).aggregate(t=Sum("amount_cents"))["t"] or 0
        expected = -raw if account.type == AccountType.INCOME else raw
        assert shown[account.code] == expected
    for line in BudgetLine.objects.all():
        spent = (
            Posting.objects.filter(account__budget_line=line).aggregate(t=Sum("amount_cents"))["t"]
            or 0
        )
        assert 0 <= spent <= line.amount_cents
    lines = [entry.as_export() for entry in LedgerEntry.objects.order_by("seq")]
    result = chain.verify_lines(json.dumps(e) for e in lines)
    assert result.ok, result.describe()
    assert LedgerEntry.objects.count() == Transaction.objects.count()
