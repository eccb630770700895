"""Every write of the treasury.

All money moves through `post_transaction`: it validates the postings, writes
the transaction as a draft with its postings, marks it posted (the database
checks the balance on that update) and appends it to the ledger hash chain,
all in one database transaction. Budget lines are locked before spending is
checked, so two treasurers posting at once cannot overspend a line.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date as date_type
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import journal
from governance.selectors import current_parameters
from kernel.chains import actor_name, append_to_chain
from kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound
from members.selectors import has_role
from treasury import chart
from treasury.errors import (
    DuplicateReference,
    ImportRejected,
    LedgerGuard,
    NoBudgetLine,
    NotTreasurer,
    OverBudget,
    SelfApproval,
    Unbalanced,
    UnknownAccount,
)
from treasury.models import (
    INCOME_KINDS,
    Account,
    AccountType,
    AuditAttestation,
    BudgetLine,
    Expense,
    Fund,
    LedgerEntry,
    PaymentMethod,
    Posting,
    Receipt,
    Transaction,
    TransactionKind,
)
from treasury.money import MAX_AMOUNT_CENTS, currency, parse_amount

LEDGER_CHAIN = LedgerEntry.chain_name
MAX_RECEIPT_BYTES = 10 * 1024 * 1024
RECEIPT_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "text/plain": ".txt",
}


# ---------------------------------------------------------------------------
# Helpers: roles, accounts, funds, locks
# ---------------------------------------------------------------------------


def _require_treasurer(actor) -> None:
    if not has_role(actor, "treasurer"):
        raise NotTreasurer(_("Only a treasurer can record money in the ledger."))


def _fund(slug: str) -> Fund:
    fund = Fund.objects.filter(slug=slug).first()
    if fund is None:
        raise InvalidInput(_("There is no fund “%(fund)s”.") % {"fund": slug}, code="unknown_fund")
    return fund


def _lock_budget_line(pk: int) -> BudgetLine:
    """The one place that locks a budget line before its spending is checked."""
    line = (
        BudgetLine.objects.select_for_update(of=("self",))
        .select_related("fund", "proposal")
        .filter(pk=pk)
        .first()
    )
    if line is None:
        raise NoBudgetLine(
            _(
                "Spending draws only on a budget line voted in an enacted budget proposal; "
                "this budget line does not exist."
            )
        )
    return line


def _is_amount(value: Any) -> bool:
    """A whole number of cents within the instance's limit (see money.py)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_AMOUNT_CENTS


def _check_date(value: date_type) -> None:
    if not isinstance(value, date_type):
        raise InvalidInput(_("Give the date of the transaction."))
    if value > timezone.now().date():
        raise InvalidInput(_("The date of a transaction cannot be in the future."))


def _guard_error(exc: IntegrityError) -> Exception:
    text = str(exc)
    if "spending cannot exceed" in text:
        return OverBudget(_("This expense would take the budget line beyond its allocation."))
    if "external_reference" in text or "unique_external_reference" in text:
        return DuplicateReference(_("A transaction with this external reference already exists."))
    if "ledger guard:" in text:
        return LedgerGuard(text[text.index("ledger guard:") :].splitlines()[0])
    return Conflict(
        _("The ledger refused this write: %(error)s")
        % {"error": text.splitlines()[0] if text else exc}
    )


# ---------------------------------------------------------------------------
# The one path for money
# ---------------------------------------------------------------------------


def _validated_postings(postings: list[dict]) -> list[tuple[Account, Fund, int]]:
    if not isinstance(postings, list) or len(postings) < 2:
        raise Unbalanced(_("A transaction needs at least two postings."))
    codes = {p.get("account") for p in postings if isinstance(p, dict)}
    slugs = {p.get("fund", "general") for p in postings if isinstance(p, dict)}
    accounts = {a.code: a for a in Account.objects.filter(code__in=codes)}
    funds = {f.slug: f for f in Fund.objects.filter(slug__in=slugs)}
    result = []
    for index, posting in enumerate(postings, start=1):
        if not isinstance(posting, dict):
            raise InvalidInput(_("Posting %(n)d is not an object.") % {"n": index})
        amount = posting.get("amount")
        if not _is_amount(amount) or amount == 0:
            raise InvalidInput(
                _("Posting %(n)d: the amount must be a non-zero whole number of cents.")
                % {"n": index}
            )
        account = accounts.get(posting.get("account"))
        if account is None:
            raise UnknownAccount(
                _("Posting %(n)d: there is no account “%(account)s”.")
                % {"n": index, "account": posting.get("account")}
            )
        fund = funds.get(posting.get("fund", "general"))
        if fund is None:
            raise InvalidInput(
                _("Posting %(n)d: there is no fund “%(fund)s”.")
                % {"n": index, "fund": posting.get("fund")},
                code="unknown_fund",
            )
        result.append((account, fund, amount))
    total = sum(amount for _a, _f, amount in result)
    if total != 0:
        raise Unbalanced(
            _("The postings do not balance: they sum to %(total)d cents instead of zero.")
            % {"total": total}
        )
    return result


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
    _require_treasurer(actor)
    if kind in (TransactionKind.EXPENSE, TransactionKind.REVERSAL):
        raise InvalidInput(
            _(
                "Record an expense against its budget line, "
                "and correct a transaction by reversing it."
            )
        )
    return _post(
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


def _post(
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
    _check_date(date)
    description = (description or "").strip()
    if not description:
        raise InvalidInput(_("Describe the transaction."))
    if kind not in TransactionKind.values:
        raise InvalidInput(_("Unknown kind of transaction: %(kind)s.") % {"kind": kind})
    if method and method not in PaymentMethod.values:
        raise InvalidInput(_("Unknown payment method: %(method)s.") % {"method": method})
    lines = _validated_postings(postings)
    _check_kind(kind, lines, budget_line=budget_line, fee_of=fee_of)
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
        raise _guard_error(exc) from exc
    return txn


def _check_kind(
    kind: str,
    lines: list[tuple[Account, Fund, int]],
    *,
    budget_line: BudgetLine | None,
    fee_of: Transaction | None,
) -> None:
    """Which accounts each kind of transaction may touch. The ledger guard
    holds the same rules (`treasury/triggers.py`); here they become clear
    errors before anything is written."""

    def only(allowed) -> bool:
        return all(allowed(account, amount) for account, _fund, amount in lines)

    if kind in INCOME_KINDS and not only(
        lambda a, amount: (
            (a.type == AccountType.ASSET and amount > 0)
            or (a.type == AccountType.INCOME and amount < 0)
        )
    ):
        raise InvalidInput(
            _("Income moves money from an income account into asset accounts only."),
            code="wrong_accounts",
        )
    if kind == TransactionKind.TRANSFER and not only(
        lambda a, _amount: a.type == AccountType.ASSET
    ):
        raise InvalidInput(
            _("A transfer moves money between asset accounts only."), code="wrong_accounts"
        )
    per_fund: dict[int, int] = {}
    for _account, fund, amount in lines:
        per_fund[fund.pk] = per_fund.get(fund.pk, 0) + amount
    if kind == TransactionKind.TRANSFER and any(per_fund.values()):
        raise InvalidInput(
            _("A transfer keeps money in its fund: restricted money is spent only as voted."),
            code="wrong_fund",
        )
    if (
        kind == TransactionKind.EXPENSE
        and budget_line is not None
        and set(per_fund) != {budget_line.fund_id}
    ):
        raise InvalidInput(
            _("An expense is paid from the fund its budget line was voted in."), code="wrong_fund"
        )
    if (
        kind == TransactionKind.FEE
        and fee_of is not None
        and not set(per_fund) <= set(fee_of.postings.values_list("fund_id", flat=True))
    ):
        raise InvalidInput(
            _("A platform fee is taken from the fund of the income it was withheld from."),
            code="wrong_fund",
        )
    if kind == TransactionKind.FEE and (
        fee_of is None
        or not only(
            lambda a, amount: (
                (a.code == chart.FEE_ACCOUNT and amount > 0)
                or (a.type == AccountType.ASSET and amount < 0)
            )
        )
    ):
        raise InvalidInput(
            _(
                "A platform fee is recorded with the income it was withheld from. Any other "
                "spending is an expense against a voted budget line."
            ),
            code="wrong_accounts",
        )
    if kind == TransactionKind.EXPENSE and not only(
        lambda a, amount: (
            (budget_line is not None and a.budget_line_id == budget_line.pk)
            or (a.type == AccountType.ASSET and amount < 0)
        )
    ):
        raise NoBudgetLine(
            _("A budget line's account is spent only by an expense recorded against it.")
        )


def _payload(txn: Transaction, lines: list[tuple[Account, Fund, int]]) -> dict[str, Any]:
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


# ---------------------------------------------------------------------------
# Income
# ---------------------------------------------------------------------------


@transaction.atomic
def record_income(
    *,
    actor,
    kind: str,
    amount_cents: int,
    date: date_type,
    method: str,
    description: str = "",
    external_reference: str = "",
    counterparty: str = "",
    is_counterparty_public: bool = False,
    fund: str = "general",
    fee_cents: int = 0,
) -> Transaction:
    """A donation, dues, a grant, crowdfunding or patronage. A platform fee
    withheld from it is posted as its own expense entry right after."""
    _require_treasurer(actor)
    if kind not in INCOME_KINDS:
        raise InvalidInput(_("Unknown kind of income: %(kind)s.") % {"kind": kind})
    if not _is_amount(amount_cents) or amount_cents <= 0:
        raise InvalidInput(_("The amount must be greater than zero."))
    if not _is_amount(fee_cents) or fee_cents < 0 or fee_cents >= amount_cents:
        raise InvalidInput(_("The fee must be zero or more, and less than the amount."))
    if method not in chart.METHOD_ACCOUNTS:
        raise InvalidInput(_("Choose how the money arrived (bank, cash or payment processor)."))
    _fund(fund)
    labels = dict(TransactionKind.choices)
    shown = counterparty if is_counterparty_public and counterparty else ""
    description = (description or "").strip() or (f"{labels[kind]}{' – ' + shown if shown else ''}")
    asset = chart.METHOD_ACCOUNTS[method]
    income = post_transaction(
        actor=actor,
        date=date,
        description=str(description),
        kind=kind,
        method=method,
        external_reference=external_reference,
        counterparty=counterparty,
        is_counterparty_public=is_counterparty_public,
        postings=[
            {"account": asset, "fund": fund, "amount": amount_cents},
            {"account": chart.INCOME_ACCOUNTS[kind], "fund": fund, "amount": -amount_cents},
        ],
    )
    if fee_cents:
        _post(
            actor=actor,
            date=date,
            description=f"Platform fee on transaction #{income.pk}",
            kind=TransactionKind.FEE,
            method=method,
            fee_of=income,
            postings=[
                {"account": chart.FEE_ACCOUNT, "fund": fund, "amount": fee_cents},
                {"account": asset, "fund": fund, "amount": -fee_cents},
            ],
        )
    return income


# ---------------------------------------------------------------------------
# Bank statement import
# ---------------------------------------------------------------------------

IMPORT_COLUMNS = ("date", "amount", "reference")
IMPORT_OPTIONAL = ("description", "kind", "counterparty")


@dataclass
class ImportRow:
    line: int
    date: date_type | None = None
    amount_cents: int | None = None
    reference: str = ""
    description: str = ""
    kind: str = "donation"
    counterparty: str = ""
    status: str = "new"  # new | duplicate | error
    error: str = ""


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    error: str = ""  # a problem with the file as a whole

    @property
    def problems(self) -> list[tuple[int, str]]:
        return [(row.line, row.error) for row in self.rows if row.status == "error"]

    @property
    def new_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.status == "new"]

    @property
    def duplicates(self) -> list[ImportRow]:
        return [row for row in self.rows if row.status == "duplicate"]

    @property
    def is_valid(self) -> bool:
        return not self.error and not self.problems


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(_("The file is not text (UTF-8 or Windows-1252)."))


def _parse_date(text: str) -> date_type:
    text = (text or "").strip()
    if len(text) == 10:
        try:
            if text[4] == "-":
                return date_type.fromisoformat(text)
            if text[2] in "/." and text[5] in "/.":
                return date_type(int(text[6:10]), int(text[3:5]), int(text[0:2]))
        except ValueError:
            pass
    raise InvalidInput(
        _("“%(text)s” is not a date (use 2025-03-31 or 31/03/2025).") % {"text": text}
    )


def preview_bank_statement(content: bytes | str) -> ImportPreview:
    """Parse a bank statement CSV and say what importing it would record.

    Columns (header row, any order, `,` or `;` separated): date, amount,
    reference, and optionally description, kind (donation, dues, grant,
    crowdfunding, patronage; donation by default) and counterparty. Rows whose
    reference is already in the ledger are duplicates and are skipped."""
    preview = ImportPreview()
    try:
        text = _decode(content)
    except InvalidInput as exc:
        preview.error = exc.message
        return preview
    if not text.strip():
        preview.error = _("The file is empty.")
        return preview
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        preview.error = _("The file has no header row.")
        return preview
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        preview.error = _("The header row needs the columns %(columns)s; missing: %(missing)s.") % {
            "columns": ", ".join(IMPORT_COLUMNS),
            "missing": ", ".join(missing),
        }
        return preview
    index = {
        name: header.index(name) for name in (*IMPORT_COLUMNS, *IMPORT_OPTIONAL) if name in header
    }
    seen: dict[str, int] = {}
    try:
        records = list(enumerate(reader, start=2))
    except csv.Error as exc:
        preview.error = _("The file is not valid CSV: %(error)s.") % {"error": exc}
        return preview
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        row = ImportRow(line=line)
        preview.rows.append(row)

        def cell(name, record=record):
            position = index.get(name)
            if position is None or position >= len(record):
                return ""
            return record[position].strip()

        try:
            if len(record) != len(header):
                raise InvalidInput(
                    _("expected %(expected)d columns, found %(found)d")
                    % {"expected": len(header), "found": len(record)}
                )
            row.date = _parse_date(cell("date"))
            if row.date > timezone.now().date():
                raise InvalidInput(_("the date is in the future"))
            row.amount_cents = parse_amount(cell("amount"), allow_negative=True)
            if row.amount_cents < 0:
                raise InvalidInput(
                    "outgoing payment: record it as an expense against a budget line, "
                    "with its receipt"
                )
            row.reference = cell("reference")
            if not row.reference:
                raise InvalidInput(_("the reference is empty"))
            if len(row.reference) > 120:
                raise InvalidInput(_("the reference is longer than 120 characters"))
            row.kind = (cell("kind") or "donation").lower()
            if row.kind not in INCOME_KINDS:
                raise InvalidInput(
                    _("unknown kind “%(kind)s” (use one of: %(kinds)s)")
                    % {"kind": row.kind, "kinds": ", ".join(INCOME_KINDS)}
                )
            row.description = cell("description")[:300]
            row.counterparty = cell("counterparty")[:200]
            if row.reference in seen:
                raise InvalidInput(
                    _("the reference “%(ref)s” is already on line %(line)d")
                    % {"ref": row.reference, "line": seen[row.reference]}
                )
            seen[row.reference] = line
        except InvalidInput as exc:
            row.status = "error"
            row.error = exc.message.rstrip(".")
    existing = set(
        Transaction.objects.filter(
            external_reference__in=[r.reference for r in preview.rows if r.status == "new"]
        ).values_list("external_reference", flat=True)
    )
    for row in preview.rows:
        if row.status == "new" and row.reference in existing:
            row.status = "duplicate"
    if not preview.rows:
        preview.error = _("The file has no rows to import.")
    return preview


@dataclass
class ImportResult:
    recorded: list[Transaction]
    duplicates: int


@transaction.atomic
def import_bank_statement(
    *, actor, content: bytes | str, method: str = "bank", fund: str = "general"
) -> ImportResult:
    """Record every new row of a statement, or none if any row is bad."""
    _require_treasurer(actor)
    _fund(fund)
    preview = preview_bank_statement(content)
    if preview.error:
        raise ImportRejected(preview.error, problems=[])
    if preview.problems:
        listed = "; ".join(
            _("line %(line)d: %(error)s") % {"line": line, "error": error}
            for line, error in preview.problems
        )
        raise ImportRejected(
            _("Nothing was imported. Fix these lines and import again: %(lines)s.")
            % {"lines": listed},
            problems=preview.problems,
        )
    recorded = []
    for row in preview.new_rows:
        recorded.append(
            record_income(
                actor=actor,
                kind=row.kind,
                amount_cents=row.amount_cents,
                date=row.date,
                method=method,
                description=row.description,
                external_reference=row.reference,
                counterparty=row.counterparty,
                is_counterparty_public=False,
                fund=fund,
            )
        )
    return ImportResult(recorded=recorded, duplicates=len(preview.duplicates))


# ---------------------------------------------------------------------------
# Receipts and spending
# ---------------------------------------------------------------------------


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


def budget_line_committed(line: BudgetLine, *, excluding: Expense | None = None) -> int:
    """Cents spent (posted, net of reversals) plus cents awaiting approval."""
    spent = (
        Posting.objects.filter(account__budget_line=line).aggregate(total=Sum("amount_cents"))[
            "total"
        ]
        or 0
    )
    pending = Expense.objects.filter(budget_line=line, status=Expense.Status.PENDING)
    if excluding is not None:
        pending = pending.exclude(pk=excluding.pk)
    return spent + (pending.aggregate(total=Sum("amount_cents"))["total"] or 0)


def _check_remaining(line: BudgetLine, amount_cents: int, *, excluding=None) -> None:
    committed = budget_line_committed(line, excluding=excluding)
    remaining = line.amount_cents - committed
    if amount_cents > remaining:
        from treasury.money import format_cents

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
    return _post(
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
                "account": chart.budget_line_account_code(line.pk),
                "fund": line.fund.slug,
                "amount": expense.amount_cents,
            },
            {
                "account": chart.METHOD_ACCOUNTS[expense.method],
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
    _require_treasurer(actor)
    if not _is_amount(amount_cents) or amount_cents <= 0:
        raise InvalidInput(_("The amount must be greater than zero."))
    if method not in chart.METHOD_ACCOUNTS:
        raise InvalidInput(_("Choose how the expense was paid (bank, cash or payment processor)."))
    _check_date(date)
    description = (description or "").strip()
    payee = (payee or "").strip()
    if not description or not payee:
        raise InvalidInput(_("Say what was bought and who was paid."))
    line = _lock_budget_line(budget_line_id)
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
    if not (has_role(actor, "treasurer") or has_role(actor, "steward")):
        raise NotAllowed(_("Only a treasurer or a steward can approve or decline an expense."))
    expense = (
        Expense.objects.select_for_update(of=("self",))
        .select_related("recorded_by", "receipt")
        .filter(pk=expense_id)
        .first()
    )
    if expense is None:
        raise NotFound(_("There is no such expense."))
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
    """The second approval (four eyes): posts the expense."""
    expense = _lock_pending_expense(expense_id, actor)
    line = _lock_budget_line(expense.budget_line_id)
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


@transaction.atomic
def reverse_transaction(*, actor, transaction_id: int, reason: str) -> Transaction:
    """Correct a posted transaction with its mirror image, linked to it."""
    _require_treasurer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the transaction is reversed."))
    original = (
        Transaction.objects.select_for_update(of=("self",))
        .select_related("budget_line", "receipt")
        .filter(pk=transaction_id, status=Transaction.Status.POSTED)
        .first()
    )
    if original is None:
        raise NotFound(_("There is no such posted transaction."))
    if original.kind == TransactionKind.REVERSAL:
        raise Conflict(_("A reversal cannot itself be reversed; record a new transaction instead."))
    if Transaction.objects.filter(reverses=original).exists():
        raise Conflict(_("This transaction has already been reversed."))
    postings = [
        {"account": p.account.code, "fund": p.fund.slug, "amount": -p.amount_cents}
        for p in original.postings.select_related("account", "fund").order_by("pk")
    ]
    return _post(
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
    fund: str = "general",
    description: str = "",
) -> Transaction:
    """Move money between the association's own asset accounts (e.g. bank to cash)."""
    _require_treasurer(actor)
    for code in (from_account, to_account):
        account = Account.objects.filter(code=code).first()
        if account is None:
            raise UnknownAccount(_("There is no account “%(code)s”.") % {"code": code})
        if account.type != AccountType.ASSET:
            raise InvalidInput(_("A transfer moves money between asset accounts only."))
    if from_account == to_account:
        raise InvalidInput(_("Choose two different accounts."))
    if not _is_amount(amount_cents) or amount_cents <= 0:
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


# ---------------------------------------------------------------------------
# Funds and budget lines (from governance)
# ---------------------------------------------------------------------------


@transaction.atomic
def create_fund(*, actor, slug: str, name: str, is_restricted: bool, purpose: str = "") -> Fund:
    _require_treasurer(actor)
    slug = (slug or "").strip().lower()
    name = (name or "").strip()
    from django.utils.text import slugify

    if not slug or slugify(slug) != slug:
        raise InvalidInput(
            _("The fund's short name may hold only lowercase letters, digits and -.")
        )
    if not name:
        raise InvalidInput(_("Give the fund a name."))
    if is_restricted and not (purpose or "").strip():
        raise InvalidInput(_("A restricted fund needs the purpose it is restricted to."))
    if Fund.objects.filter(slug=slug).exists():
        raise Conflict(_("There is already a fund “%(fund)s”.") % {"fund": slug})
    fund = Fund.objects.create(
        slug=slug, name=name[:200], is_restricted=is_restricted, purpose=(purpose or "")[:500]
    )
    journal.record(
        kind="treasury.fund_created",
        actor=actor,
        payload={
            "fund": slug,
            "name": fund.name,
            "restricted": is_restricted,
            "purpose": fund.purpose,
        },
    )
    return fund


def validate_budget_items(items: list[dict]) -> list[dict]:
    """Check budget items before a proposal is submitted and return them
    cleaned: [{"purpose": str, "amount_cents": int, "fund": slug}]."""
    if not items:
        raise InvalidInput(_("A budget proposal needs at least one budget line."))
    known = set(Fund.objects.values_list("slug", flat=True)) | {chart.GENERAL_FUND["slug"]}
    cleaned = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInput(
                _("Budget line %(n)d is not a line (purpose, amount, fund).") % {"n": number}
            )
        purpose = str(item.get("purpose") or "").strip()
        if not purpose:
            raise InvalidInput(_("Budget line %(n)d: say what the money is for.") % {"n": number})
        if len(purpose) > 200:
            raise InvalidInput(
                _("Budget line %(n)d: the purpose is longer than 200 characters.") % {"n": number}
            )
        amount = item.get("amount_cents")
        if isinstance(amount, str) and amount.strip().isdigit():
            amount = int(amount.strip())
        if not _is_amount(amount) or amount <= 0:
            raise InvalidInput(
                _("Budget line %(n)d: the amount must be greater than zero.") % {"n": number}
            )
        fund = str(item.get("fund") or chart.GENERAL_FUND["slug"]).strip()
        if fund not in known:
            raise InvalidInput(
                _("Budget line %(n)d: there is no fund “%(fund)s” (funds: %(funds)s).")
                % {"n": number, "fund": fund, "funds": ", ".join(sorted(known))}
            )
        cleaned.append({"purpose": purpose, "amount_cents": amount, "fund": fund})
    return cleaned


def open_budget_lines_for(*, proposal) -> list[BudgetLine]:
    """Called by `governance.services.enact_proposal` inside its transaction:
    one budget line and one expense account per budget item."""
    items = list(proposal.budget_items.order_by("pk"))
    funds = {f.slug: f for f in Fund.objects.filter(slug__in=[i.fund for i in items])}
    for item in items:
        if item.fund not in funds:
            raise InvalidInput(
                _("Budget line “%(purpose)s” names the fund “%(fund)s”, which does not exist.")
                % {"purpose": item.purpose, "fund": item.fund}
            )
    now = timezone.now()
    lines = []
    try:
        with transaction.atomic():
            for item in items:
                line = BudgetLine.objects.create(
                    proposal=proposal,
                    budget_item=item,
                    purpose=item.purpose,
                    fund=funds[item.fund],
                    amount_cents=item.amount_cents,
                    opened_at=now,
                )
                Account.objects.create(
                    code=chart.budget_line_account_code(line.pk),
                    name=item.purpose[:200],
                    type=AccountType.EXPENSE,
                    budget_line=line,
                )
                lines.append(line)
    except IntegrityError as exc:
        raise _guard_error(exc) from exc
    journal.record(
        kind="budget.lines_opened",
        actor="",
        payload={
            "proposal": proposal.pk,
            "currency": currency(),
            "lines": [
                {
                    "budget_line": line.pk,
                    "purpose": line.purpose,
                    "fund": line.fund.slug,
                    "amount": line.amount_cents,
                    "account": chart.budget_line_account_code(line.pk),
                }
                for line in lines
            ],
        },
    )
    return lines


# ---------------------------------------------------------------------------
# Auditors
# ---------------------------------------------------------------------------


@transaction.atomic
def attest_audit(
    *,
    actor,
    period_start: date_type,
    period_end: date_type,
    ledger_head_seq: int,
    ledger_head_hash: str,
    statement: str,
) -> AuditAttestation:
    """Publish an auditor's statement about the ledger up to a verified head."""
    if not has_role(actor, "auditor"):
        raise NotAllowed(_("Only an auditor can attest the ledger."))
    if not isinstance(period_start, date_type) or not isinstance(period_end, date_type):
        raise InvalidInput(_("Give the first and last day of the audited period."))
    if period_end < period_start:
        raise InvalidInput(_("The period ends before it starts."))
    statement = (statement or "").strip()
    if not statement:
        raise InvalidInput(_("Write the statement you attest."))
    ledger_head_hash = (ledger_head_hash or "").strip().lower()
    if (
        not _is_amount(ledger_head_seq)
        or not LedgerEntry.objects.filter(seq=ledger_head_seq, hash=ledger_head_hash).exists()
    ):
        raise InvalidInput(
            "The ledger has no entry with this sequence number and hash: check the head "
            "that `chain.py verify` printed."
        )
    entry = journal.record(
        kind="audit.attested",
        actor=actor,
        payload={
            "chain": LEDGER_CHAIN,
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "ledger_head_seq": ledger_head_seq,
            "ledger_head_hash": ledger_head_hash,
            "statement_sha256": hashlib.sha256(statement.encode("utf-8")).hexdigest(),
        },
    )
    return AuditAttestation.objects.create(
        auditor=actor,
        period_start=period_start,
        period_end=period_end,
        ledger_head_seq=ledger_head_seq,
        ledger_head_hash=ledger_head_hash,
        statement=statement[:5000],
        attested_at=timezone.now(),
        journal_seq=entry.seq,
    )
