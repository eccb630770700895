"""The ledger guard in the database: no path edits or deletes posted money."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kernel.chains import chain_timestamp
from kernel.models import ChainHead
from tests.treasury.factories import BudgetLineFactory, ExpenseFactory, IncomeFactory
from tests.treasury.helpers import assert_ledger_invariants, today
from treasury import selectors, services
from treasury.models import (
    Account,
    AuditAttestation,
    BudgetLine,
    Fund,
    LedgerEntry,
    Posting,
    Receipt,
    Transaction,
)


@pytest.fixture
def donation(community):
    return IncomeFactory(actor=community["bob"], amount_cents=5_000)


def refused(match="ledger guard"):
    return pytest.raises(IntegrityError, match=match)


def sql(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_posted_transaction_cannot_be_updated_by_orm(donation):
    with refused("posted transaction is immutable"), transaction.atomic():
        Transaction.objects.filter(pk=donation.pk).update(description="Changed")
    donation.description = "Changed"
    with refused("posted transaction is immutable"), transaction.atomic():
        donation.save()
    donation.refresh_from_db()
    assert donation.description != "Changed"


def test_posted_transaction_cannot_be_deleted(donation):
    # The ORM stops at the protected postings; the database stops everything else.
    with refused("protected"), transaction.atomic():
        Transaction.objects.filter(pk=donation.pk).delete()
    with refused():
        sql("DELETE FROM treasury_transaction WHERE id = %s", [donation.pk])
    assert Transaction.objects.filter(pk=donation.pk).exists()


def test_postings_cannot_be_updated_or_deleted_by_raw_sql(donation):
    posting = donation.postings.first()
    with refused("postings are immutable"):
        sql("UPDATE treasury_posting SET amount_cents = 1 WHERE id = %s", [posting.pk])
    with refused("postings are immutable"):
        sql("DELETE FROM treasury_posting WHERE id = %s", [posting.pk])
    with refused("postings are immutable"), transaction.atomic():
        Posting.objects.filter(pk=posting.pk).update(amount_cents=5_001)
    assert_ledger_invariants()


def test_posting_cannot_be_added_to_posted_transaction(donation):
    with refused("cannot be added to a posted transaction"), transaction.atomic():
        Posting.objects.create(
            transaction=donation,
            account=Account.objects.get(code="assets:cash"),
            fund=Fund.objects.get(slug="general"),
            amount_cents=100,
        )
    assert donation.postings.count() == 2


def test_ledger_entries_are_append_only(donation):
    entry = LedgerEntry.objects.get(transaction=donation)
    with refused("append-only"):
        sql("UPDATE treasury_ledgerentry SET actor = 'mallory' WHERE seq = %s", [entry.seq])
    with refused("append-only"), transaction.atomic():
        LedgerEntry.objects.filter(seq=entry.seq).delete()
    assert LedgerEntry.objects.get(seq=entry.seq).actor == "bob"


def test_transaction_cannot_be_inserted_already_posted(community):
    with refused("written as a draft"), transaction.atomic():
        Transaction.objects.create(
            date=today(),
            description="Shortcut",
            kind="donation",
            status="posted",
            recorded_by=community["bob"],
            posted_at=timezone.now(),
        )


def test_database_refuses_to_post_unbalanced_transaction(community):
    bank = Account.objects.get(code="assets:bank")
    general = Fund.objects.get(slug="general")
    with refused("sum to exactly zero"), transaction.atomic():
        txn = Transaction.objects.create(
            date=today(),
            description="Raw",
            kind="donation",
            recorded_by=community["bob"],
            posted_at=timezone.now(),
        )
        Posting.objects.create(transaction=txn, account=bank, fund=general, amount_cents=100)
        Posting.objects.create(
            transaction=txn,
            account=Account.objects.get(code="income:donations"),
            fund=general,
            amount_cents=-99,
        )
        Transaction.objects.filter(pk=txn.pk).update(status="posted")
    assert Transaction.objects.count() == 0


def test_database_refuses_to_post_transaction_with_one_posting(community):
    bank = Account.objects.get(code="assets:bank")
    with refused("two or more postings"), transaction.atomic():
        txn = Transaction.objects.create(
            date=today(),
            description="Raw",
            kind="donation",
            recorded_by=community["bob"],
            posted_at=timezone.now(),
        )
        Posting.objects.create(
            transaction=txn, account=bank, fund=Fund.objects.get(slug="general"), amount_cents=0 + 1
        )
        Transaction.objects.filter(pk=txn.pk).update(status="posted")


def test_database_refuses_spending_beyond_a_budget_line(community):
    """Below the services: a complete expense written straight to the tables,
    whose amount fits the line's allocation alone but not on top of what was
    already spent, is refused by the database, and nothing of it is written."""
    line = BudgetLineFactory(purpose="Printing", amount_cents=20_000)
    earlier = ExpenseFactory(actor=community["bob"], budget_line=line, amount_cents=15_000)
    overspend = line.amount_cents - 15_000 + 1  # 50.01: within 200.00, beyond the 50.00 left
    before = (Transaction.objects.count(), Posting.objects.count(), LedgerEntry.objects.count())
    with refused("cannot exceed the allocation"), transaction.atomic():
        txn = Transaction.objects.create(
            date=today(),
            description="Raw overspend",
            kind="expense",
            method="bank",
            recorded_by=community["bob"],
            posted_at=timezone.now(),
            budget_line=line,
            proposal=line.proposal,
            receipt=earlier.receipt,
        )
        Posting.objects.create(
            transaction=txn, account=line.account, fund=line.fund, amount_cents=overspend
        )
        Posting.objects.create(
            transaction=txn,
            account=Account.objects.get(code="assets:bank"),
            fund=line.fund,
            amount_cents=-overspend,
        )
        Transaction.objects.filter(pk=txn.pk).update(status="posted")
    assert (
        Transaction.objects.count(),
        Posting.objects.count(),
        LedgerEntry.objects.count(),
    ) == before
    assert selectors.budget_line_status(line.pk).spent_cents == 15_000
    assert_ledger_invariants()


def test_ledger_entry_needs_a_posted_transaction(community):
    # The entry follows the ledger's head and is written now, as a real one
    # would be: the only thing wrong with it is its draft transaction.
    head = ChainHead.objects.get(name="ledger")
    with refused("only a posted transaction"), transaction.atomic():
        txn = Transaction.objects.create(
            date=today(),
            description="Draft",
            kind="donation",
            recorded_by=community["bob"],
            posted_at=timezone.now(),
        )
        LedgerEntry.objects.create(
            seq=head.seq + 1,
            at=chain_timestamp(),
            kind="treasury.donation",
            actor="",
            payload={},
            prev=head.hash,
            hash="f" * 64,
            transaction=txn,
        )
    assert LedgerEntry.objects.count() == 0


def test_budget_line_cannot_be_opened_without_enactment_or_changed(community, budget):
    proposal = budget["proposal"]
    item = proposal.budget_items.first()
    with refused("opened only by enacting"), transaction.atomic():
        BudgetLine.objects.create(
            proposal=proposal,
            budget_item=item,
            purpose="More",
            fund=Fund.objects.get(slug="general"),
            amount_cents=item.amount_cents,
            opened_at=timezone.now(),
        )
    with refused("cannot be changed"):
        sql(
            "UPDATE treasury_budgetline SET amount_cents = 999999999 WHERE id = %s",
            [budget["workshop"].pk],
        )
    assert BudgetLine.objects.get(pk=budget["workshop"].pk).amount_cents == 100_000


def test_receipts_and_attestations_are_immutable(community, budget):
    expense = ExpenseFactory(
        actor=community["bob"],
        budget_line=budget["printing"],
        amount_cents=100,
        description="Tape",
        payee="Shop",
        method="cash",
    )
    with refused("receipts are immutable"), transaction.atomic():
        Receipt.objects.filter(pk=expense.receipt_id).update(sha256="0" * 64)
    from treasury.selectors import ledger_head

    seq, head = ledger_head()
    attestation = services.attest_audit(
        actor=community["ada"],
        period_start=today(),
        period_end=today(),
        ledger_head_seq=seq,
        ledger_head_hash=head,
        statement="Fine.",
    )
    with refused("attestations are immutable"), transaction.atomic():
        AuditAttestation.objects.filter(pk=attestation.pk).update(statement="Not fine.")


def test_admin_offers_no_edit_or_delete_of_posted_transactions(client, donation, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-123")
    client.force_login(admin)
    change = client.post(
        f"/admin/treasury/transaction/{donation.pk}/change/", {"description": "Changed"}
    )
    assert change.status_code == 403
    delete = client.post(f"/admin/treasury/transaction/{donation.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert client.get(f"/admin/treasury/transaction/{donation.pk}/change/").status_code == 200
    donation.refresh_from_db()
    assert donation.description != "Changed"


def test_guard_survives_reinstall(donation):
    from kernel import guards

    guards.uninstall(connection)
    guards.install(connection)
    with refused(), transaction.atomic():
        Transaction.objects.filter(pk=donation.pk).update(description="x")
