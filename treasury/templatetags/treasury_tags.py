from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from kernel.money import format_cents
from treasury import chart_of_accounts
from treasury.svg_charts import month_label

register = template.Library()


@register.filter
def money(cents):
    """12345 → '123.45 EUR' (the instance's currency)."""
    if cents is None or cents == "":
        return ""
    return format_cents(int(cents))


@register.filter
def shown_name(name: str) -> str:
    """An account's or a fund's name in the reader's words (chart_of_accounts)."""
    return chart_of_accounts.shown_name(name or "")


@register.filter
def account_code(code: str) -> str:
    """An account's code that a narrow column breaks after its colons and
    hyphens ("assets:|processor"), never inside a word."""
    parts = (escape(code or "")).replace(":", ":<wbr>").replace("-", "-<wbr>")
    return mark_safe(f'<code class="account-code">{parts}</code>')  # noqa: S308 - escaped above


@register.filter
def negate(cents):
    return -int(cents or 0)


@register.filter
def month(value: str) -> str:
    """'2026-05' (the treasury's month keys) → 'May 2026', 'mai 2026'."""
    return month_label(value) if value else ""


@register.filter
def total(cents_list) -> int:
    """The sum of a list of cents (a table's grand total)."""
    return sum(int(cents or 0) for cents in cents_list or ())
