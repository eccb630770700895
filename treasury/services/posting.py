"""The one path for money: every transaction is posted here.

`post` validates the postings and the kind's accounts (`posting_rules`),
writes the transaction as a draft with its postings, marks it posted (the
database checks the balance on that update) and appends it to the ledger
hash chain, all in one database transaction. A posted transaction never
changes: it is corrected by `reverse_transaction`, its mirror image, once.

Rules enforced here: only a treasurer records money; an external reference
is used once; a transaction is dated, described and not in the future;
expenses go through `services.expenses` and reversals through
`reverse_transaction`, never through `post_transaction`; a transfer moves
money between two different asset accounts.
"""

from __future__ import annotations

from datetime import date as date_type
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.chains import actor_name, append_to_chain
from kernel.errors import Conflict, InvalidInput
from kernel.money import currency
from treasury.chart_of_accounts import GENERAL_FUND_SLUG
from treasury.errors import DuplicateReference, UnknownAccount
from treasury.locks import lock_posted_transaction
from treasury.models import (
    Account,
    AccountType,
    BudgetLine,
    LedgerEntry,
    PaymentMethod,
    Posting,
    Receipt,
    Transaction,
    TransactionKind,
)
from treasury.services._common import check_date, guard_error, is_amount, require_treasurer
from treasury.services.posting_rules import Lines, check_kind, validated_postings


@transaction.atomic
def post_transaction(
    *,
    actor,
    date: date_type,
    description: str,
    kind: str,
    postings: list[dict],
    method: str = "",
    external_reference: str = "",
    counterparty: str = "",
    is_counterparty_public: bool = False,
    budget_line: BudgetLine | None = None,
    receipt: Receipt | None = None,
    reverses: Transaction | None = None,
    reason: str = "",
) -> Transaction:
    """Post one balanced transaction and append it to the ledger chain.

    `postings` is a list of {"account": code, "fund": slug, "amount": cents}
    (debits positive, credits negative). Expenses and reversals have their
    own services (`record_expense`, `reverse_transaction`)."""
    require_treasurer(actor)
    if kind in (TransactionKind.EXPENSE, TransactionKind.REVERSAL):
        raise InvalidInput(
            _(
                "Record an expense against its budget line, "
                "and correct a transaction by reversing it."
            )
        )
    return post(
        actor=actor,
        date=date,
        description=description,
        kind=kind,
        postings=postings,
        method=method,
        external_reference=external_reference,
        counterparty=counterparty,
        is_counterparty_public=is_counterparty_public,
        budget_line=budget_line,
        receipt=receipt,
        reverses=reverses,
        reason=reason,
    )


def post(
    *,
    actor,
    date: date_type,
    description: str,
    kind: str,
    postings: list[dict],
    method: str = "",
    external_reference: str = "",
    counterparty: str = "",
    is_counterparty_public: bool = False,
    budget_line: BudgetLine | None = None,
    receipt: Receipt | None = None,
    reverses: Transaction | None = None,
    reason: str = "",
    approved_by=None,
    recorded_by=None,
    fee_of: Transaction | None = None,
) -> Transaction:
    """Validate and post (callers have checked the actor's permission).
    `recorded_by` defaults to the actor; an approved expense keeps the
    treasurer who recorded it, and `approved_by` names the second person."""
    check_date(date)
    description = (description or "").strip()
    if not description:
        raise InvalidInput(_("Describe the transaction."))
    if kind not in TransactionKind.values:
        raise InvalidInput(_("Unknown kind of transaction: %(kind)s.") % {"kind": kind})
    if method and method not in PaymentMethod.values:
        raise InvalidInput(_("Unknown payment method: %(method)s.") % {"method": method})
    lines = validated_postings(postings)
    check_kind(kind, lines, budget_line=budget_line, fee_of=fee_of)
    external_reference = (external_reference or "").strip()
    if (
        external_reference
        and Transaction.objects.filter(external_reference=external_reference).exists()
    ):
        raise DuplicateReference(
            _("A transaction with the external reference “%(ref)s” already exists.")
            % {"ref": external_reference}
        )
    recorder = recorded_by or actor
    now = timezone.now()
    try:
        with transaction.atomic():
            txn = Transaction.objects.create(
                date=date,
                description=description[:300],
                kind=kind,
                method=method,
                external_reference=external_reference,
                counterparty=(counterparty or "").strip()[:200],
                is_counterparty_public=is_counterparty_public,
                budget_line=budget_line,
                proposal=budget_line.proposal if budget_line else None,
                receipt=receipt,
                reverses=reverses,
                fee_of=fee_of,
                reason=(reason or "").strip()[:500],
                recorded_by=recorder,
                approved_by=approved_by,
                posted_at=now,
            )
            Posting.objects.bulk_create(
                [
                    Posting(transaction=txn, account=account, fund=fund, amount_cents=amount)
                    for account, fund, amount in lines
                ]
            )
            Transaction.objects.filter(pk=txn.pk).update(status=Transaction.Status.POSTED)
            txn.status = Transaction.Status.POSTED
            append_to_chain(
                model=LedgerEntry,
                kind=f"treasury.{kind}",
                actor=actor_name(approved_by or actor),
                payload=_payload(txn, lines),
                transaction=txn,
            )
    except IntegrityError as exc:
        raise guard_error(exc) from exc
    return txn


def _payload(txn: Transaction, lines: Lines) -> dict[str, Any]:
    """The ledger entry's payload: what an auditor verifies offline."""
    references: dict[str, Any] = {"recorded_by": actor_name(txn.recorded_by)}
    if txn.approved_by_id:
        references["approved_by"] = actor_name(txn.approved_by)
    if txn.external_reference:
        references["external_reference"] = txn.external_reference
    if txn.proposal_id:
        references["proposal"] = txn.proposal_id
    if txn.budget_line_id:
        references["budget_line"] = txn.budget_line_id
    if txn.receipt_id:
        references["receipt_sha256"] = txn.receipt.sha256
        references["receipt_public"] = txn.receipt.is_public
    if txn.reverses_id:
        references["reversal_of"] = txn.reverses_id
    if txn.fee_of_id:
        references["fee_of"] = txn.fee_of_id
    if txn.reason:
        references["reason"] = txn.reason
    if txn.counterparty:
        references["counterparty"] = txn.counterparty if txn.is_counterparty_public else "anonymous"
    return {
        "transaction": txn.pk,
        "date": txn.date.isoformat(),
        "description": txn.description,
        "kind": txn.kind,
        "method": txn.method,
        "currency": currency(),
        "postings": [
            {"account": account.code, "fund": fund.slug, "amount": amount}
            for account, fund, amount in lines
        ],
        "references": references,
    }


@transaction.atomic
def reverse_transaction(*, actor, transaction_id: int, reason: str) -> Transaction:
    """Correct a posted transaction with its mirror image, linked to it.
    Only a treasurer reverses, with a reason; a transaction is reversed at
    most once, and a reversal is never itself reversed."""
    require_treasurer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the transaction is reversed."))
    original = lock_posted_transaction(transaction_id)
    if original.kind == TransactionKind.REVERSAL:
        raise Conflict(_("A reversal cannot itself be reversed; record a new transaction instead."))
    if Transaction.objects.filter(reverses=original).exists():
        raise Conflict(_("This transaction has already been reversed."))
    postings = [
        {"account": p.account.code, "fund": p.fund.slug, "amount": -p.amount_cents}
        for p in original.postings.select_related("account", "fund").order_by("pk")
    ]
    return post(
        actor=actor,
        date=timezone.now().date(),
        description=f"Reversal of #{original.pk}: {original.description}"[:300],
        kind=TransactionKind.REVERSAL,
        method=original.method,
        budget_line=original.budget_line,
        reverses=original,
        reason=reason,
        postings=postings,
    )


@transaction.atomic
def record_transfer(
    *,
    actor,
    date: date_type,
    from_account: str,
    to_account: str,
    amount_cents: int,
    fund: str = GENERAL_FUND_SLUG,
    description: str = "",
) -> Transaction:
    """Move money between the association's own asset accounts (e.g. bank to
    cash), within one fund: two different asset accounts, a positive amount."""
    require_treasurer(actor)
    for code in (from_account, to_account):
        account = Account.objects.filter(code=code).first()
        if account is None:
            raise UnknownAccount(_("There is no account “%(code)s”.") % {"code": code})
        if account.type != AccountType.ASSET:
            raise InvalidInput(_("A transfer moves money between asset accounts only."))
    if from_account == to_account:
        raise InvalidInput(_("Choose two different accounts."))
    if not is_amount(amount_cents) or amount_cents <= 0:
        raise InvalidInput(_("The amount must be greater than zero."))
    return post_transaction(
        actor=actor,
        date=date,
        description=description or f"Transfer from {from_account} to {to_account}",
        kind=TransactionKind.TRANSFER,
        postings=[
            {"account": to_account, "fund": fund, "amount": amount_cents},
            {"account": from_account, "fund": fund, "amount": -amount_cents},
        ],
    )
