"""Who may do what with the community's money: the one place that says it.

Treasury powers are community-wide roles (`members.roles.Role`, held through
`RoleAssignment` while in good standing), not object permissions:

- treasurers record money: income, expenses, transfers, reversals, funds,
  bank imports;
- a second treasurer or a steward approves or declines an expense above the
  bylaws' threshold (never the one who recorded it: `services.expenses`);
- auditors attest the ledger;
- auditors and treasurers read withheld receipts and private donor names.

Services, views and the ledger guard (`treasury/triggers.py`) take their
role lists from here.
"""

from __future__ import annotations

from members.roles import Role
from members.selectors import has_role

RECORDS_MONEY = (Role.TREASURER,)
DECIDES_EXPENSES = (Role.TREASURER, Role.STEWARD)
ATTESTS_LEDGER = (Role.AUDITOR,)
READS_WITHHELD = (Role.AUDITOR, Role.TREASURER)


def holds_any(person, roles: tuple[Role, ...]) -> bool:
    """Whether `person` holds one of `roles` now (asked in the given order)."""
    return any(has_role(person, role) for role in roles)


def is_treasurer(person) -> bool:
    return holds_any(person, RECORDS_MONEY)


def can_decide_expenses(person) -> bool:
    return holds_any(person, DECIDES_EXPENSES)


def is_auditor(person) -> bool:
    return holds_any(person, ATTESTS_LEDGER)


def can_read_withheld(person) -> bool:
    """Auditors read everything; treasurers keep the receipts they file."""
    return holds_any(person, READS_WITHHELD)
