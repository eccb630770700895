from django import template

from treasury.money import format_cents

register = template.Library()


@register.filter
def money(cents):
    """12345 → '123.45 EUR' (the instance's currency)."""
    if cents is None or cents == "":
        return ""
    return format_cents(int(cents))


@register.filter
def negate(cents):
    return -int(cents or 0)
