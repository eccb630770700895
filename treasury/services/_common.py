"""What every treasury service checks the same way: the treasurer rule,
funds named by slug, amounts in whole cents, dates not in the future, and
the ledger guard's refusals turned into domain errors."""

from __future__ import annotations

from datetime import date as date_type
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import Conflict, InvalidInput
from treasury import permissions
from treasury.errors import DuplicateReference, LedgerGuard, NotTreasurer, OverBudget
from treasury.models import Fund
from treasury.money import MAX_AMOUNT_CENTS


def require_treasurer(actor) -> None:
    """Only a treasurer in good standing records money."""
    if not permissions.is_treasurer(actor):
        raise NotTreasurer(_("Only a treasurer can record money in the ledger."))


def fund_named(slug: str) -> Fund:
    fund = Fund.objects.filter(slug=slug).first()
    if fund is None:
        raise InvalidInput(_("There is no fund “%(fund)s”.") % {"fund": slug}, code="unknown_fund")
    return fund


def is_amount(value: Any) -> bool:
    """A whole number of cents within the instance's limit (see money.py)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_AMOUNT_CENTS


def check_date(value: date_type) -> None:
    """A transaction has a date, and it is not in the future."""
    if not isinstance(value, date_type):
        raise InvalidInput(_("Give the date of the transaction."))
    if value > timezone.now().date():
        raise InvalidInput(_("The date of a transaction cannot be in the future."))


def guard_error(exc: IntegrityError) -> Exception:
    """The domain error for a write the database refused."""
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
