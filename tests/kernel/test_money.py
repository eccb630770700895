"""Amounts read the reader's way: one helper for every page, chart, message
and journal sentence; stored text the same in every language."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from kernel.money import format_cents, record_cents


@pytest.mark.parametrize(
    ("language", "cents", "shown"),
    [
        ("en", 594_000, "5\u202f940.00 EUR"),
        ("fr", 594_000, "5\u202f940,00 EUR"),
        ("en", -5, "-0.05 EUR"),
        ("fr", -5, "-0,05 EUR"),
        ("fr", 100_000_000_000, "1\u202f000\u202f000\u202f000,00 EUR"),
    ],
)
def test_an_amount_is_written_in_the_readers_language(language, cents, shown):
    with translation.override(language):
        assert format_cents(cents) == shown


def test_axis_ticks_are_whole_units_and_stored_text_ignores_the_language():
    with translation.override("fr"):
        assert format_cents(500_000, with_currency=False, whole=True) == "5\u202f000"
        assert record_cents(123_456) == "1\u202f234.56 EUR"


def test_the_same_amount_reads_the_same_on_the_treasury_and_a_proposal():
    """The proposal page's budget filter and the treasury's are one helper
    (the proposal's used to write 300.50 in French too, and 1,000.00)."""
    with translation.override("fr"):
        template = Template("{% load treasury_tags proposals_tags %}{{ n|money }}|{{ n|cents }}")
        money, cents = template.render(Context({"n": 30_050})).split("|")
    assert money == cents == "300,50 EUR"
