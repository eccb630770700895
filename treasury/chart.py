"""The chart of accounts every Commons treasury starts with.

Expense accounts for voted budget lines are opened when a budget proposal is
enacted (`treasury.services.open_budget_lines_for`).
"""

from __future__ import annotations

STANDARD_ACCOUNTS = [
    ("assets:bank", "Bank account", "asset"),
    ("assets:cash", "Cash box", "asset"),
    ("assets:processor", "Payment processor", "asset"),
    ("income:donations", "Donations", "income"),
    ("income:dues", "Membership dues", "income"),
    ("income:grants", "Grants", "income"),
    ("income:crowdfunding", "Crowdfunding", "income"),
    ("income:patronage", "Patronage", "income"),
    ("expenses:platform-fees", "Payment and crowdfunding platform fees", "expense"),
]

GENERAL_FUND = {"slug": "general", "name": "General fund", "is_restricted": False, "purpose": ""}

# Where money arrives or leaves, by payment method.
METHOD_ACCOUNTS = {
    "bank": "assets:bank",
    "cash": "assets:cash",
    "processor": "assets:processor",
}

# Income account for each kind of income.
INCOME_ACCOUNTS = {
    "donation": "income:donations",
    "dues": "income:dues",
    "grant": "income:grants",
    "crowdfunding": "income:crowdfunding",
    "patronage": "income:patronage",
}

FEE_ACCOUNT = "expenses:platform-fees"


BUDGET_LINE_ACCOUNT_PREFIX = "expenses:budget-line-"


def budget_line_account_code(line_pk: int) -> str:
    return f"{BUDGET_LINE_ACCOUNT_PREFIX}{line_pk}"
