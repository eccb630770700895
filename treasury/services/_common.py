"""What every treasury service checks the same way: the treasurer rule,
funds named by slug, amounts in whole cents, dates neither in the future nor
before the community's founding, and the ledger guard's refusals turned into
domain errors."""

from __future__ import annotations

import datetime as dt
from datetime import date as date_type
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import JournalEntry
from kernel.dates import day
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


def founding_date() -> date_type | None:
    """The day of the founding act (the journal's genesis entry), in the
    community's time zone; None before the community is founded."""
    at = JournalEntry.objects.filter(seq=1, kind="genesis").values_list("at", flat=True).first()
    if at is None:
        return None
    founded_at = dt.datetime.fromisoformat(at)
    return timezone.localtime(founded_at, timezone.get_default_timezone()).date()


def check_date(value: date_type) -> None:
    """A transaction has a date, not in the future and not before the
    community's founding: the books begin with the community."""
    if not isinstance(value, date_type):
        raise InvalidInput(_("Give the date of the transaction."))
    if value > timezone.now().date():
        raise InvalidInput(_("The date of a transaction cannot be in the future."))
    founded = founding_date()
    if founded is not None and value < founded:
        raise InvalidInput(
            _("The date of a transaction cannot be before the community's founding (%(date)s).")
            % {"date": day(founded)},
            code="before_founding",
        )


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
