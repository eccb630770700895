"""What the treasury red-team tests share: the words the ledger guard
answers with, and the forgery of a posted transaction without the service's
checks (the `books` fixture is in conftest.py)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.guards.helpers import rows
from treasury.models import (
    Account,
    LedgerEntry,
    Posting,
    Transaction,
)

LEDGER = "ledger guard"
FEE = "a platform fee names the income it was withheld from"
TRANSFER = "a transfer moves money between asset accounts only"
EXPENSE = "an expense draws on its own budget line's account, from asset accounts, with a receipt"
FOUR_EYES = "above the bylaws' threshold an expense needs a second approver"
POSTED = "a posted transaction is immutable; correct it with a reversal"
FLOW = "an expense is recorded pending by a treasurer, now"


def upload(content=b"Invoice 42: chairs\n"):
    return SimpleUploadedFile("invoice.txt", content, content_type="text/plain")


def account(code: str) -> Account:
    return Account.objects.get(code=code)


def line_account(line) -> Account:
    return Account.objects.get(budget_line=line)


def forge(books, kind, postings, *, fund=None, **fields) -> Transaction:
    """What `_post` writes, without its checks: a draft, its postings, then
    the update that posts it."""
    values = {
        "date": timezone.now().date(),
        "description": "forged",
        "kind": kind,
        "recorded_by": books["bob"],
        "posted_at": timezone.now(),
    }
    values.update(fields)
    txn = Transaction.objects.create(**values)
    Posting.objects.bulk_create(
        Posting(
            transaction=txn,
            account=posting[0],
            amount_cents=posting[1],
            fund=posting[2] if len(posting) > 2 else fund or books["general"],
        )
        for posting in postings
    )
    Transaction.objects.filter(pk=txn.pk).update(status="posted")
    return txn


def ledger():
    return rows(Transaction), rows(Posting), rows(LedgerEntry)
