"""Every write of the treasury, one module per part of the work:

- `posting`: the one path for money (`post_transaction`), reversals and
  transfers between own accounts; `posting_rules` says what a transaction
  may contain;
- `income`: donations, dues, grants, crowdfunding, patronage, and the
  platform fees withheld from them;
- `bank_import`: previewing and importing a bank statement, all or nothing;
- `expenses`: receipts, spending against voted budget lines, four eyes;
- `funds`: opening general or restricted funds;
- `budget`: checking a budget proposal's lines and opening them on enactment;
- `attestations`: auditors' statements about a verified ledger head.

Shared checks are in `_common` (the treasurer rule is `treasury.permissions`),
row locks in `treasury.locks`. Callers import from here
(`from treasury import services`); the modules import each other only in the
order above (`posting` first).
"""

from treasury.services.attestations import attest_audit
from treasury.services.bank_import import (
    ImportPreview,
    ImportResult,
    ImportRow,
    decode_statement,
    import_bank_statement,
    preview_bank_statement,
)
from treasury.services.budget import open_budget_lines_for, validate_budget_items
from treasury.services.expenses import (
    approve_expense,
    decline_expense,
    record_expense,
    store_receipt,
)
from treasury.services.funds import create_fund
from treasury.services.income import record_income
from treasury.services.posting import post_transaction, record_transfer, reverse_transaction

__all__ = [
    "ImportPreview",
    "ImportResult",
    "ImportRow",
    "approve_expense",
    "attest_audit",
    "create_fund",
    "decline_expense",
    "decode_statement",
    "import_bank_statement",
    "open_budget_lines_for",
    "post_transaction",
    "preview_bank_statement",
    "record_expense",
    "record_income",
    "record_transfer",
    "reverse_transaction",
    "store_receipt",
    "validate_budget_items",
]
