"""Bank statement import: preview, per-line errors, duplicates, idempotency."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.treasury.helpers import assert_ledger_invariants
from treasury import services
from treasury.errors import ImportRejected, NotTreasurer
from treasury.models import Transaction

STATEMENT = (
    "date,amount,reference,description,kind,counterparty\n"
    "2025-03-01,25.00,BNK-001,Monthly dues,dues,Dave\n"
    '2025-03-02,"1 200,50",BNK-002,Grant first instalment,grant,City council\n'
    "02/03/2025,10,BNK-003,,donation,\n"
)


def after_founding(statement: str) -> str:
    """The statement with every row dated today: the community of these
    tests is founded today, and the books refuse dates before the founding."""
    today = timezone.now().date()
    statement = re.sub(r"\d{4}-\d\d-\d\d", today.isoformat(), statement)
    return re.sub(r"\d\d/\d\d/\d{4}", today.strftime("%d/%m/%Y"), statement)


def test_preview_lists_new_rows_without_recording_anything(community):
    preview = services.preview_bank_statement(STATEMENT)
    assert preview.is_valid
    assert [(r.reference, r.amount_cents, r.kind) for r in preview.new_rows] == [
        ("BNK-001", 2_500, "dues"),
        ("BNK-002", 120_050, "grant"),
        ("BNK-003", 1_000, "donation"),
    ]
    assert Transaction.objects.count() == 0


def test_importing_the_same_file_twice_records_nothing_new(community):
    statement = after_founding(STATEMENT)
    first = services.import_bank_statement(actor=community["bob"], content=statement.encode())
    assert len(first.recorded) == 3 and first.duplicates == 0
    second = services.import_bank_statement(actor=community["bob"], content=statement.encode())
    assert second.recorded == [] and second.duplicates == 3
    assert Transaction.objects.count() == 3
    preview = services.preview_bank_statement(statement)
    assert [r.status for r in preview.rows] == ["duplicate"] * 3
    assert_ledger_invariants()


def test_one_bad_row_records_no_row_and_names_the_line(community):
    bad = STATEMENT + "2025-03-04,abc,BNK-004,Typo,donation,\n"
    with pytest.raises(ImportRejected, match="line 5") as caught:
        services.import_bank_statement(actor=community["bob"], content=bad)
    assert caught.value.problems[0][0] == 5
    assert "not an amount" in caught.value.problems[0][1]
    assert Transaction.objects.count() == 0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2025-13-40,5,R1,,donation,", "not a date"),
        ("2025-03-01,-5,R1,,donation,", "outgoing payment"),
        ("2025-03-01,0,R1,,donation,", "greater than zero"),
        ("2025-03-01,5,,,donation,", "reference is empty"),
        ("2025-03-01,5,R1,,lottery,", "unknown kind"),
        ("2025-03-01,5,R1", "expected 6 columns"),
        ("2999-03-01,5,R1,,donation,", "future"),
    ],
)
def test_malformed_rows_are_reported_per_line(community, row, message):
    content = "date,amount,reference,description,kind,counterparty\n" + row + "\n"
    preview = services.preview_bank_statement(content)
    assert preview.problems and preview.problems[0][0] == 2
    assert message in preview.problems[0][1]
    with pytest.raises(ImportRejected):
        services.import_bank_statement(actor=community["bob"], content=content)
    assert Transaction.objects.count() == 0


def test_duplicate_reference_inside_one_file_is_an_error(community):
    content = STATEMENT + "2025-03-05,7,BNK-001,Again,donation,\n"
    preview = services.preview_bank_statement(content)
    assert preview.problems == [(5, "the reference “BNK-001” is already on line 2")]


def test_file_without_required_columns_is_refused(community):
    preview = services.preview_bank_statement("when,how much\n2025-01-01,5\n")
    assert "missing: date, amount, reference" in preview.error
    with pytest.raises(ImportRejected):
        services.import_bank_statement(actor=community["bob"], content="when\n1\n")


def test_semicolon_separated_french_statement(community):
    content = after_founding("date;amount;reference\n31/01/2025;12,50;FR-1\n")
    result = services.import_bank_statement(
        actor=community["bob"], content=content.encode("cp1252")
    )
    assert result.recorded[0].postings.get(account__code="assets:bank").amount_cents == 1_250


def test_only_treasurer_imports(community):
    with pytest.raises(NotTreasurer):
        services.import_bank_statement(actor=community["carol"], content=STATEMENT)
