"""Amounts are whole numbers of minor units (cents) in one currency per
instance (`settings.CURRENCY`, EUR by default). This turns what people type
into cents, without floats; `kernel.money` writes cents for people to read."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from kernel.errors import InvalidInput
from kernel.money import currency, format_cents

_AMOUNT = re.compile(r"^[+-]?\d+(?:[.,]\d{1,2})?$")


# One billion in the instance's currency: far beyond any association's single
# transaction, and small enough that sums over millions of rows never overflow
# the database's 64-bit integers.
MAX_AMOUNT_CENTS = 100_000_000_000


def parse_amount(text: str, *, allow_negative: bool = False) -> int:
    """'12', '12.5', '12,50', '1 234.56' → cents. Refuses anything ambiguous."""
    raw = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if raw.upper().endswith(currency()):
        raw = raw[: -len(currency())]
    if not _AMOUNT.match(raw):
        raise InvalidInput(
            _("“%(text)s” is not an amount: write it like 12.50 or 12,50 (at most two decimals).")
            % {"text": text}
        )
    try:
        cents = int((Decimal(raw.replace(",", ".")) * 100).to_integral_exact())
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards
        raise InvalidInput(_("“%(text)s” is not an amount.") % {"text": text}) from exc
    if cents == 0 or (cents < 0 and not allow_negative):
        raise InvalidInput(_("The amount must be greater than zero."))
    if abs(cents) > MAX_AMOUNT_CENTS:
        raise InvalidInput(
            _("The amount is too large: at most %(max)s.") % {"max": format_cents(MAX_AMOUNT_CENTS)}
        )
    return cents
