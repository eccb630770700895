"""Money as people read it: whole numbers of minor units (cents), never
floats, in the instance's one currency (`settings.CURRENCY`, EUR by default).
Every page, chart, message and journal sentence writes amounts through
`format_cents`, and other decimals (hours, credits) through `shown_decimal`;
text that is stored, and what the API and the exports give, keep the point. (The kernel holds it
because the bylaws' pages, below the treasury, write amounts too.)"""

from __future__ import annotations

from django.conf import settings
from django.utils.formats import get_format


def currency() -> str:
    return getattr(settings, "CURRENCY", "EUR")


def format_cents(cents: int, *, with_currency: bool = True, whole: bool = False) -> str:
    """An amount as its reader writes it, in the active language: 1 234.50 EUR
    in English, 1 234,50 EUR in French. Thousands are grouped by a narrow
    no-break space in both (no comma that a French reader would take for the
    decimal point). `whole` leaves out the cents (a chart's axis ticks)."""
    text = record_cents(cents, with_currency=False)
    text = text.rsplit(".", 1)[0] if whole else shown_decimal(text)
    return f"{text} {currency()}" if with_currency else text


def shown_decimal(text: str) -> str:
    """A number written with a decimal point ("1.50": hours, credits, an
    amount) as the reader writes decimals: "1,50" in French."""
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


def record_cents(cents: int, *, with_currency: bool = True) -> str:
    """An amount in text that is stored (a transaction's description), the
    same whatever the language of the request that wrote it."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    text = f"{sign}{whole:,}.{part:02d}".replace(",", "\u202f")
    return f"{text} {currency()}" if with_currency else text
