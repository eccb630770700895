"""What an hour given is worth: the parameters of the ordinary bylaw article
"Contributions" (slug `contributions`), declared to governance from
`ContributionsConfig.ready` (`governance.parameters.register_article`).

They change only by a passed amendment of that article, like any bylaw; until
the community adopts the article, the defaults below apply (and the pages say
so). Every value is a whole number in a stated unit, so no float decides a
balance:

- ``credit_hundredths_per_hour``: credits an hour given earns, in hundredths
  of a credit (100 = 1.00 credit an hour). At least 30, so that every minute
  earns at least a hundredth.
- ``monthly_cap_hundredths``: the most the community account issues in one
  calendar month (UTC) for work on community needs.
- ``below_zero_allowed`` and ``lowest_balance_hundredths``: whether a member
  may go below zero when others work for them, and how far (0 when not).
- ``dues_rebate`` and ``rebate_cents_per_credit``: whether credits lower a
  member's dues, and by how many cents per credit (0 when not).

`credits_for` is the one rounding rule (half up to the hundredth); the
database guards compute the same in SQL (`contributions/triggers/ledger.py`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.parameter_fields import BOOLEAN, INTEGER, ParameterField
from governance.parameters import ArticleParameters
from kernel.errors import InvalidInput
from kernel.money import currency, shown_decimal

ARTICLE = "contributions"
TITLE = "Contributions"

MIN_RATE = 30  # hundredths of a credit an hour: a minute still earns 0.01 (rounded)
MAX_RATE = 100_000
MAX_CAP = 10**12
MAX_FLOOR = 10**9
MAX_REBATE_CENTS = 10**7


@dataclass(frozen=True)
class ContributionRules:
    credit_hundredths_per_hour: int = 100
    monthly_cap_hundredths: int = 20_000
    below_zero_allowed: bool = True
    lowest_balance_hundredths: int = -1_000
    dues_rebate: bool = False
    rebate_cents_per_credit: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def floor(self) -> int:
        """The lowest balance a member may reach by others' work for them."""
        return self.lowest_balance_hundredths if self.below_zero_allowed else 0


DEFAULTS = ContributionRules()


def _whole(data: dict, name: str, low: int, high: int) -> int:
    value = data.get(name, getattr(DEFAULTS, name))
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(
            _("“%(name)s” must be a whole number from %(low)s to %(high)s.")
            % {"name": name, "low": low, "high": high},
            code="invalid_parameters",
            field=name,
            field_message=_("A whole number from %(low)s to %(high)s.")
            % {"low": low, "high": high},
        )
    return value


def _flag(data: dict, name: str) -> bool:
    value = data.get(name, getattr(DEFAULTS, name))
    if not isinstance(value, bool):
        raise InvalidInput(
            _("“%(name)s” must be true or false.") % {"name": name},
            code="invalid_parameters",
            field=name,
        )
    return value


def rules_from_json(data: Any) -> ContributionRules:
    """Parse and check the article's values; InvalidInput names the bad one."""
    if not isinstance(data, dict):
        raise InvalidInput(
            _("The Contributions article's values must be a JSON object."),
            code="invalid_parameters",
        )
    unknown = sorted(set(data) - set(DEFAULTS.to_json()))
    if unknown:
        raise InvalidInput(
            _("Unknown values for the Contributions article: %(names)s.")
            % {"names": ", ".join(unknown)},
            code="invalid_parameters",
        )
    rules = ContributionRules(
        credit_hundredths_per_hour=_whole(data, "credit_hundredths_per_hour", MIN_RATE, MAX_RATE),
        monthly_cap_hundredths=_whole(data, "monthly_cap_hundredths", 0, MAX_CAP),
        below_zero_allowed=_flag(data, "below_zero_allowed"),
        lowest_balance_hundredths=_whole(data, "lowest_balance_hundredths", -MAX_FLOOR, 0),
        dues_rebate=_flag(data, "dues_rebate"),
        rebate_cents_per_credit=_whole(data, "rebate_cents_per_credit", 0, MAX_REBATE_CENTS),
    )
    if rules.below_zero_allowed == (rules.lowest_balance_hundredths == 0):
        raise InvalidInput(
            _(
                "Say how far below zero a balance may go (a negative lowest balance) exactly "
                "when members may go below zero, and 0 otherwise."
            ),
            code="invalid_parameters",
            field="lowest_balance_hundredths",
        )
    if rules.dues_rebate == (rules.rebate_cents_per_credit == 0):
        raise InvalidInput(
            _(
                "Give what a credit takes off the dues (more than 0 cents) exactly when "
                "credits count as a rebate on dues, and 0 otherwise."
            ),
            code="invalid_parameters",
            field="rebate_cents_per_credit",
        )
    return rules


def validate(data: Any) -> dict[str, Any]:
    return rules_from_json(data).to_json()


def credits_for(minutes: int, rate: int) -> int:
    """Hundredths of a credit for ``minutes`` at ``rate`` hundredths an hour,
    rounded half up: (2 × minutes × rate + 60) // 120."""
    return (2 * minutes * rate + 60) // 120


def rebate_cents(credits: int, cents_per_credit: int) -> int:
    """What ``credits`` hundredths take off the dues, rounded down to the cent."""
    return credits * cents_per_credit // 100


def hundredths(value: int) -> str:
    """1050 → "10.50"; -5 → "-0.05" (stored text, the API, the exports)."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def shown_hundredths(value: int) -> str:
    """Credits as the reader writes decimals: "10,50" in French."""
    return shown_decimal(hundredths(value))


def describe(values: dict[str, Any]) -> str:
    """The text of the article (in the site's language, as it is stored)."""
    rules = rules_from_json(values)
    lines = [
        "Members' time is recorded in the public time ledger and valued under these rules:",
        "",
        f"- An hour given earns {hundredths(rules.credit_hundredths_per_hour)} credits.",
        f"- The community issues at most {hundredths(rules.monthly_cap_hundredths)} credits a "
        "month for work on its own needs.",
    ]
    if rules.below_zero_allowed:
        lines.append(
            "- When others work for a member, the member's balance may go down to "
            f"{hundredths(rules.lowest_balance_hundredths)} credits."
        )
    else:
        lines.append("- A member's balance never goes below zero.")
    if rules.dues_rebate:
        lines.append(
            f"- Credits count as a rebate on dues: each credit takes "
            f"{hundredths(rules.rebate_cents_per_credit)} {currency()} off."
        )
    else:
        lines.append("- Credits do not count as a rebate on dues.")
    lines.append("- Work paid from a budget line earns no credits: it is paid in money.")
    return "\n".join(lines)


# Labels of the amendment form, read in each reader's language (lazy).
FIELDS = (
    ParameterField(
        ("credit_hundredths_per_hour",),
        gettext_lazy("Credits an hour given earns, in hundredths (100 = 1.00 credit)"),
        INTEGER,
        help_text=format_lazy(gettext_lazy("At least {min}."), min=MIN_RATE),
    ),
    ParameterField(
        ("monthly_cap_hundredths",),
        gettext_lazy("Most credits the community issues a month for its own needs, in hundredths"),
        INTEGER,
    ),
    ParameterField(
        ("below_zero_allowed",),
        gettext_lazy("A member may go below zero when others work for them"),
        BOOLEAN,
    ),
    ParameterField(
        ("lowest_balance_hundredths",),
        gettext_lazy("The lowest balance allowed, in hundredths (0 or less)"),
        INTEGER,
    ),
    ParameterField(("dues_rebate",), gettext_lazy("Credits lower a member's dues"), BOOLEAN),
    ParameterField(
        ("rebate_cents_per_credit",),
        gettext_lazy("Cents taken off the dues for each credit"),
        INTEGER,
    ),
)

DECLARATION = ArticleParameters(
    slug=ARTICLE,
    title=TITLE,
    defaults=DEFAULTS.to_json,
    validate=validate,
    describe=describe,
    fields=FIELDS,
)
