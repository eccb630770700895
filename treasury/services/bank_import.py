"""Bank statement import: preview a CSV statement, then record all of it or
nothing.

Rules enforced here: only a treasurer imports; every row is dated (not in
the future), has a positive amount, a reference of at most 120 characters
that appears once in the file, and an income kind (donation by default).
Outgoing payments are refused: spending is an expense against a budget line,
with its receipt. Rows whose reference is already in the ledger are
duplicates and are skipped, so importing a file twice records nothing new.
Each new row is recorded by `record_income`, in one database transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date as date_type
from enum import StrEnum

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import InvalidInput
from treasury.chart_of_accounts import GENERAL_FUND_SLUG
from treasury.errors import ImportRejected
from treasury.models import INCOME_KINDS, PaymentMethod, Transaction, TransactionKind
from treasury.money import parse_amount
from treasury.services._common import fund_named, require_treasurer
from treasury.services.income import record_income

IMPORT_COLUMNS = ("date", "amount", "reference")
IMPORT_OPTIONAL = ("description", "kind", "counterparty")


class RowStatus(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"
    ERROR = "error"


@dataclass
class ImportRow:
    line: int
    date: date_type | None = None
    amount_cents: int | None = None
    reference: str = ""
    description: str = ""
    kind: str = TransactionKind.DONATION
    counterparty: str = ""
    status: RowStatus = RowStatus.NEW
    error: str = ""


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    error: str = ""  # a problem with the file as a whole

    @property
    def problems(self) -> list[tuple[int, str]]:
        return [(row.line, row.error) for row in self.rows if row.status == RowStatus.ERROR]

    @property
    def new_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.status == RowStatus.NEW]

    @property
    def duplicates(self) -> list[ImportRow]:
        return [row for row in self.rows if row.status == RowStatus.DUPLICATE]

    @property
    def is_valid(self) -> bool:
        return not self.error and not self.problems


def decode_statement(content: bytes | str) -> str:
    """The statement as text: UTF-8 (with or without BOM) or Windows-1252."""
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
        text = decode_statement(content)
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
            row.kind = (cell("kind") or TransactionKind.DONATION).lower()
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
            row.status = RowStatus.ERROR
            row.error = exc.message.rstrip(".")
    existing = set(
        Transaction.objects.filter(
            external_reference__in=[r.reference for r in preview.rows if r.status == RowStatus.NEW]
        ).values_list("external_reference", flat=True)
    )
    for row in preview.rows:
        if row.status == RowStatus.NEW and row.reference in existing:
            row.status = RowStatus.DUPLICATE
    if not preview.rows:
        preview.error = _("The file has no rows to import.")
    return preview


@dataclass
class ImportResult:
    recorded: list[Transaction]
    duplicates: int


@transaction.atomic
def import_bank_statement(
    *,
    actor,
    content: bytes | str,
    method: str = PaymentMethod.BANK,
    fund: str = GENERAL_FUND_SLUG,
) -> ImportResult:
    """Record every new row of a statement, or none if any row is bad."""
    require_treasurer(actor)
    fund_named(fund)
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
