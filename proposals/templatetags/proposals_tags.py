from django import template
from django.utils.safestring import mark_safe

from kernel.markdown import render_markdown
from kernel.money import format_cents
from proposals.models import Choice
from proposals.panels import render_panels

register = template.Library()


@register.filter
def markdown(source: str) -> str:
    """User text rendered by markdown-it-py and sanitized by nh3."""
    return mark_safe(render_markdown(source or ""))  # noqa: S308 - nh3 sanitized it


@register.filter
def choice_label(choice: str) -> str:
    """A ballot's choice in the reader's words ("yes" → "Oui")."""
    return str(Choice(choice).label) if choice in Choice.values else choice


@register.filter
def cents(amount) -> str:
    if amount is None:
        return ""
    return format_cents(int(amount))


@register.filter
def fraction(pair) -> str:
    if not pair:
        return ""
    return f"{pair[0]}/{pair[1]}"


@register.simple_tag
def bar_width(count, total, width=300):
    if not total or count is None:
        return 0
    return round(width * count / total)


@register.simple_tag(takes_context=True)
def proposal_panels(context, proposal):
    """Every panel other apps registered for a proposal's page (proposals/panels.py)."""
    return render_panels(
        request=context.get("request"), proposal=proposal, page_context=context.flatten()
    )
