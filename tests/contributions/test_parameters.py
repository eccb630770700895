"""What an hour is worth: the Contributions article's values, each at its
boundary, the one rounding rule, and the article's text."""

from __future__ import annotations

import pytest

from contributions import parameters
from contributions.parameters import credits_for, rebate_cents, rules_from_json
from kernel.errors import InvalidInput

DEFAULTS = parameters.DEFAULTS.to_json()


def values(**changes) -> dict:
    return {**DEFAULTS, **changes}


def test_the_defaults_are_valid_and_value_an_hour_at_one_credit():
    rules = rules_from_json(DEFAULTS)
    assert rules.credit_hundredths_per_hour == 100
    assert rules.floor == -1_000
    assert not rules.dues_rebate


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("credit_hundredths_per_hour", parameters.MIN_RATE, parameters.MAX_RATE),
        ("monthly_cap_hundredths", 0, parameters.MAX_CAP),
    ],
)
def test_whole_number_values_are_accepted_at_their_bounds_and_refused_beyond(name, low, high):
    assert getattr(rules_from_json(values(**{name: low})), name) == low
    assert getattr(rules_from_json(values(**{name: high})), name) == high
    for bad in (low - 1, high + 1, 1.5, "100", True, None):
        with pytest.raises(InvalidInput, match=name):
            rules_from_json(values(**{name: bad}))


def test_a_rate_below_thirty_hundredths_would_let_a_minute_earn_nothing():
    assert credits_for(1, parameters.MIN_RATE) == 1
    assert credits_for(1, parameters.MIN_RATE - 1) == 0
    with pytest.raises(InvalidInput):
        rules_from_json(values(credit_hundredths_per_hour=29))


def test_the_floor_is_negative_exactly_when_members_may_go_below_zero():
    assert rules_from_json(values(lowest_balance_hundredths=-1)).floor == -1
    assert rules_from_json(values(lowest_balance_hundredths=-(10**9))).floor == -(10**9)
    closed = rules_from_json(values(below_zero_allowed=False, lowest_balance_hundredths=0))
    assert closed.floor == 0
    with pytest.raises(InvalidInput, match="below zero"):
        rules_from_json(values(below_zero_allowed=True, lowest_balance_hundredths=0))
    with pytest.raises(InvalidInput, match="below zero"):
        rules_from_json(values(below_zero_allowed=False, lowest_balance_hundredths=-100))
    with pytest.raises(InvalidInput, match="lowest_balance_hundredths"):
        rules_from_json(values(lowest_balance_hundredths=1))
    with pytest.raises(InvalidInput, match="lowest_balance_hundredths"):
        rules_from_json(values(lowest_balance_hundredths=-(10**9) - 1))


def test_a_rebate_has_a_rate_exactly_when_credits_count_on_dues():
    on = rules_from_json(values(dues_rebate=True, rebate_cents_per_credit=1))
    assert on.rebate_cents_per_credit == 1
    top = values(dues_rebate=True, rebate_cents_per_credit=parameters.MAX_REBATE_CENTS)
    assert rules_from_json(top).dues_rebate
    with pytest.raises(InvalidInput, match="dues"):
        rules_from_json(values(dues_rebate=True, rebate_cents_per_credit=0))
    with pytest.raises(InvalidInput, match="dues"):
        rules_from_json(values(dues_rebate=False, rebate_cents_per_credit=500))
    with pytest.raises(InvalidInput, match="rebate_cents_per_credit"):
        rules_from_json(values(dues_rebate=True, rebate_cents_per_credit=10**7 + 1))
    with pytest.raises(InvalidInput, match="dues_rebate"):
        rules_from_json(values(dues_rebate="yes", rebate_cents_per_credit=500))


def test_unknown_values_and_non_objects_are_refused():
    with pytest.raises(InvalidInput, match="surprise"):
        rules_from_json(values(surprise=1))
    with pytest.raises(InvalidInput):
        rules_from_json([1, 2])


@pytest.mark.parametrize(
    ("minutes", "rate", "credits"),
    [
        (60, 100, 100),
        (90, 100, 150),
        (20, 100, 33),
        (1, 100, 2),
        (30, 1, 1),
        (29, 1, 0),
        (60, 150, 150),
        (1440, 100_000, 2_400_000),
    ],
)
def test_credits_round_half_up_to_the_hundredth(minutes, rate, credits):
    assert credits_for(minutes, rate) == credits


def test_a_rebate_rounds_down_to_the_cent():
    assert rebate_cents(250, 500) == 1250
    assert rebate_cents(1, 50) == 0
    assert rebate_cents(3, 50) == 1


def test_the_article_text_says_what_the_values_say():
    text = parameters.describe(values(dues_rebate=True, rebate_cents_per_credit=500))
    assert "An hour given earns 1.00 credits." in text
    assert "down to -10.00 credits" in text
    assert "each credit takes 5.00 EUR off" in text
    closed = parameters.describe(values(below_zero_allowed=False, lowest_balance_hundredths=0))
    assert "never goes below zero" in closed
    assert "do not count as a rebate" in closed
