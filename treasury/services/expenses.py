"""Spending: receipts, expenses against voted budget lines, four eyes.

Rules enforced here: only a treasurer records an expense, against a budget
line voted in an enacted budget, with a receipt (PDF, PNG, JPEG or text, at
most 10 MB; withheld from the public only with a public reason). The line is
locked first (`treasury.locks`), and an expense never takes it beyond its
allocation, counting the expenses awaiting approval. Above the bylaws'
threshold an expense waits for a second person, a treasurer or steward who
did not record it, who approves (it is posted then) or declines it with a
reason, once.
"""

from __future__ import annotations

import hashlib
from datetime import date as date_type

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.selectors import current_parameters
from kernel.errors import Conflict, InvalidInput, NotAllowed
from kernel.money import format_cents
from treasury import permissions
from treasury.chart_of_accounts import METHOD_ACCOUNTS, budget_line_account_code
from treasury.errors import OverBudget, SelfApproval
from treasury.locks import lock_budget_line, lock_expense
from treasury.models import BudgetLine, Expense, Receipt, Transaction, TransactionKind
from treasury.selectors import budget_line_committed
from treasury.services._common import check_date, is_amount, require_treasurer
from treasury.services.posting import post

MAX_RECEIPT_BYTES = 10 * 1024 * 1024
RECEIPT_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "text/plain": ".txt",
}


def store_receipt(*, actor, upload, is_public: bool = True, withheld_reason: str = "") -> Receipt:
    """Keep a receipt file with its sha256 (part of the ledger entry)."""
    if upload is None:
        raise InvalidInput(_("Attach the receipt (PDF, PNG, JPEG or text)."))
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise InvalidInput(_("The receipt file is empty."))
    if size > MAX_RECEIPT_BYTES:
        raise InvalidInput(_("The receipt is larger than 10 MB."))
    name = getattr(upload, "name", "receipt") or "receipt"
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip()
    if content_type not in RECEIPT_TYPES:
        guessed = {v: k for k, v in RECEIPT_TYPES.items()}
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        content_type = guessed.get(".jpg" if suffix == ".jpeg" else suffix, "")
    if content_type not in RECEIPT_TYPES:
        raise InvalidInput(_("A receipt must be a PDF, PNG, JPEG or text file."))
    withheld_reason = (withheld_reason or "").strip()
    if not is_public and not withheld_reason:
        raise InvalidInput(
            _(
                "Say publicly why the receipt is withheld "
                "(for example: it shows a person's address)."
            )
        )
    digest = hashlib.sha256()
    chunks = []
    for chunk in upload.chunks():
        digest.update(chunk)
        chunks.append(chunk)
    sha256 = digest.hexdigest()
    receipt = Receipt(
        original_name=name[:255],
        content_type=content_type,
        size=size,
        sha256=sha256,
        is_public=is_public,
        withheld_reason="" if is_public else withheld_reason[:500],
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    receipt.file.save(
        f"{sha256[:16]}{RECEIPT_TYPES[content_type]}", ContentFile(b"".join(chunks)), save=False
    )
    receipt.save()
    return receipt


def _check_remaining(line: BudgetLine, amount_cents: int, *, excluding=None) -> None:
    """The line (locked by the caller) has this much left, counting the
    expenses awaiting approval (except `excluding`, the one being approved)."""
    committed = budget_line_committed(line, excluding=excluding)
    remaining = line.amount_cents - committed
    if amount_cents > remaining:
        raise OverBudget(
            _(
                "“%(purpose)s” has %(left)s left (including expenses awaiting approval); "
                "this expense of %(amount)s would exceed it."
            )
            % {
                "purpose": line.purpose,
                "left": format_cents(max(remaining, 0)),
                "amount": format_cents(amount_cents),
            }
        )


def _post_expense(expense: Expense, *, actor, approved_by=None) -> Transaction:
    line = expense.budget_line
    return post(
        actor=actor,
        recorded_by=expense.recorded_by,
        approved_by=approved_by,
        date=expense.date,
        description=expense.description,
        kind=TransactionKind.EXPENSE,
        method=expense.method,
        counterparty=expense.payee,
        is_counterparty_public=expense.receipt.is_public,
        budget_line=line,
        receipt=expense.receipt,
        postings=[
            {
                "account": budget_line_account_code(line.pk),
                "fund": line.fund.slug,
                "amount": expense.amount_cents,
            },
            {
                "account": METHOD_ACCOUNTS[expense.method],
                "fund": line.fund.slug,
                "amount": -expense.amount_cents,
            },
        ],
    )


@transaction.atomic
def record_expense(
    *,
    actor,
    budget_line_id: int,
    amount_cents: int,
    date: date_type,
    description: str,
    payee: str,
    method: str,
    receipt_file,
    receipt_is_public: bool = True,
    withheld_reason: str = "",
) -> Expense:
    """Spend from a voted budget line. Above the bylaw threshold the expense
    waits for a second treasurer or steward; otherwise it is posted now."""
    require_treasurer(actor)
    if not is_amount(amount_cents) or amount_cents <= 0:
        raise InvalidInput(_("The amount must be greater than zero."))
    if method not in METHOD_ACCOUNTS:
        raise InvalidInput(_("Choose how the expense was paid (bank, cash or payment processor)."))
    check_date(date)
    description = (description or "").strip()
    payee = (payee or "").strip()
    if not description or not payee:
        raise InvalidInput(_("Say what was bought and who was paid."))
    line = lock_budget_line(budget_line_id)
    _check_remaining(line, amount_cents)
    receipt = store_receipt(
        actor=actor,
        upload=receipt_file,
        is_public=receipt_is_public,
        withheld_reason=withheld_reason,
    )
    try:
        expense = Expense.objects.create(
            budget_line=line,
            amount_cents=amount_cents,
            date=date,
            description=description[:300],
            payee=payee[:200],
            method=method,
            receipt=receipt,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        threshold = current_parameters().second_approval_above_cents
        if amount_cents > threshold:
            return expense
        expense.transaction = _post_expense(expense, actor=actor)
        expense.status = Expense.Status.POSTED
        expense.save(update_fields=["transaction", "status"])
    except Exception:
        # The database rolls back; the stored file must not outlive it.
        receipt.file.delete(save=False)
        raise
    return expense


def _lock_pending_expense(expense_id: int, actor) -> Expense:
    """The expense, locked, if `actor` may decide it now: a treasurer or
    steward who did not record it, while it is pending."""
    if not permissions.can_decide_expenses(actor):
        raise NotAllowed(_("Only a treasurer or a steward can approve or decline an expense."))
    expense = lock_expense(expense_id)
    if expense.recorded_by_id == actor.pk:
        raise SelfApproval(_("A second person must approve: nobody approves their own expense."))
    if expense.status != Expense.Status.PENDING:
        raise Conflict(
            _("This expense is already %(status)s.")
            % {"status": expense.get_status_display().lower()}
        )
    return expense


@transaction.atomic
def approve_expense(*, actor, expense_id: int) -> Expense:
    """The second approval (four eyes): posts the expense, if its budget line
    still has the money."""
    expense = _lock_pending_expense(expense_id, actor)
    line = lock_budget_line(expense.budget_line_id)
    expense.budget_line = line
    _check_remaining(line, expense.amount_cents, excluding=expense)
    expense.transaction = _post_expense(expense, actor=actor, approved_by=actor)
    expense.status = Expense.Status.POSTED
    expense.decided_by = actor
    expense.decided_at = timezone.now()
    expense.save(update_fields=["transaction", "status", "decided_by", "decided_at"])
    return expense


@transaction.atomic
def decline_expense(*, actor, expense_id: int, reason: str) -> Expense:
    """The second person declines the expense, with a reason; its money is
    free again on the line."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the expense is declined."))
    expense = _lock_pending_expense(expense_id, actor)
    expense.status = Expense.Status.DECLINED
    expense.decided_by = actor
    expense.decided_at = timezone.now()
    expense.decline_reason = reason[:500]
    expense.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
    return expense
