"""The chart of accounts every Commons treasury starts with.

Expense accounts for voted budget lines are opened when a budget proposal is
enacted (`treasury.services.budget.open_budget_lines_for`). The ledger guard
(`treasury/triggers.py`) admits no other account.
"""

from __future__ import annotations

from treasury.models import AccountType, PaymentMethod, TransactionKind

STANDARD_ACCOUNTS = [
    ("assets:bank", "Bank account", AccountType.ASSET),
    ("assets:cash", "Cash box", AccountType.ASSET),
    ("assets:processor", "Payment processor", AccountType.ASSET),
    ("income:donations", "Donations", AccountType.INCOME),
    ("income:dues", "Membership dues", AccountType.INCOME),
    ("income:grants", "Grants", AccountType.INCOME),
    ("income:crowdfunding", "Crowdfunding", AccountType.INCOME),
    ("income:patronage", "Patronage", AccountType.INCOME),
    ("expenses:platform-fees", "Payment and crowdfunding platform fees", AccountType.EXPENSE),
]

GENERAL_FUND_SLUG = "general"
GENERAL_FUND = {
    "slug": GENERAL_FUND_SLUG,
    "name": "General fund",
    "is_restricted": False,
    "purpose": "",
}

# Where money arrives or leaves, by payment method.
METHOD_ACCOUNTS = {
    PaymentMethod.BANK: "assets:bank",
    PaymentMethod.CASH: "assets:cash",
    PaymentMethod.PROCESSOR: "assets:processor",
}

# Income account for each kind of income.
INCOME_ACCOUNTS = {
    TransactionKind.DONATION: "income:donations",
    TransactionKind.DUES: "income:dues",
    TransactionKind.GRANT: "income:grants",
    TransactionKind.CROWDFUNDING: "income:crowdfunding",
    TransactionKind.PATRONAGE: "income:patronage",
}

FEE_ACCOUNT = "expenses:platform-fees"


BUDGET_LINE_ACCOUNT_PREFIX = "expenses:budget-line-"


def budget_line_account_code(line_pk: int) -> str:
    return f"{BUDGET_LINE_ACCOUNT_PREFIX}{line_pk}"
