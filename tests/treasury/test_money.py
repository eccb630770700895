"""Amounts in whole cents (`treasury.money`)."""

from __future__ import annotations

import pytest


def test_absurdly_large_amounts_are_refused_before_they_reach_the_ledger():
    from kernel.errors import InvalidInput
    from treasury.money import MAX_AMOUNT_CENTS, parse_amount

    with pytest.raises(InvalidInput, match="too large"):
        parse_amount("92233720368547758.07")
    with pytest.raises(InvalidInput, match="too large"):
        parse_amount("99999999999999999999")
    assert parse_amount("1000000000") == MAX_AMOUNT_CENTS
