"""The chart of accounts every Commons treasury starts with.

Expense accounts for voted budget lines are opened when a budget proposal is
enacted (`treasury.services.budget.open_budget_lines_for`). The ledger guard
(`treasury/triggers.py`) admits no other account.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

from treasury.models import AccountType, PaymentMethod, TransactionKind

STANDARD_ACCOUNTS = [
    ("assets:bank", gettext_noop("Bank account"), AccountType.ASSET),
    ("assets:cash", gettext_noop("Cash box"), AccountType.ASSET),
    ("assets:processor", gettext_noop("Payment processor"), AccountType.ASSET),
    ("income:donations", gettext_noop("Donations"), AccountType.INCOME),
    ("income:dues", gettext_noop("Membership dues"), AccountType.INCOME),
    ("income:grants", gettext_noop("Grants"), AccountType.INCOME),
    ("income:crowdfunding", gettext_noop("Crowdfunding"), AccountType.INCOME),
    ("income:patronage", gettext_noop("Patronage"), AccountType.INCOME),
    (
        "expenses:platform-fees",
        gettext_noop("Payment and crowdfunding platform fees"),
        AccountType.EXPENSE,
    ),
]

GENERAL_FUND_SLUG = "general"
GENERAL_FUND = {
    "slug": GENERAL_FUND_SLUG,
    "name": gettext_noop("General fund"),
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


# Stored in English, as created; shown in the reader's language while the
# community keeps the name it started with.
_STANDARD_NAMES = frozenset(
    [name for _code, name, _type in STANDARD_ACCOUNTS] + [GENERAL_FUND["name"]]
)


def shown_name(name: str) -> str:
    """A standard account's or the general fund's name in the reader's
    language; a name the community chose stays as it is."""
    return gettext(name) if name in _STANDARD_NAMES else name


BUDGET_LINE_ACCOUNT_PREFIX = "expenses:budget-line-"


def budget_line_account_code(line_pk: int) -> str:
    return f"{BUDGET_LINE_ACCOUNT_PREFIX}{line_pk}"
