"""Filters of the contribution pages: time and credits written as the
ledger's exports write them, names as the privacy rules say, Markdown."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from contributions import charts, selectors
from contributions.models import TransferKind
from contributions.parameters import shown_hundredths
from kernel.markdown import render_markdown

register = template.Library()


@register.filter
def hours(minutes) -> str:
    """90 → "1.50" (hours, two decimals, the reader's decimal sign)."""
    return selectors.shown_hours(int(minutes or 0))


@register.filter
def credits(value) -> str:
    """Hundredths of a credit → "2.50" (the reader's decimal sign)."""
    return shown_hundredths(int(value or 0))


@register.filter
def entry_kind(kind: str) -> str:
    """A time ledger entry's kind in the reader's words ("time.exchanged" →
    "Exchange between members"); the code itself stays in the export."""
    code = (kind or "").removeprefix("time.")
    return str(TransferKind(code).label) if code in TransferKind.values else kind


@register.filter
def month_label(month: str) -> str:
    """A ledger month ("2026-08") in the reader's words."""
    return charts.month_label(month)


@register.filter
def public_name(member) -> str:
    return selectors.public_name(member) if member is not None else ""


@register.simple_tag(takes_context=True)
def shown_name(context, member) -> str:
    if member is None:
        return ""
    return selectors.shown_name(member, context.get("user"))


@register.filter
def markdown(source: str) -> str:
    return mark_safe(render_markdown(source or ""))  # noqa: S308 - nh3 sanitized it
