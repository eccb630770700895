"""Template helpers for the site shell: who is looking, and which page is current."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from members import selectors

register = template.Library()

# A constant attribute, never built from input.
ARIA_CURRENT = mark_safe('aria-current="page"')


@register.simple_tag(takes_context=True)
def viewer_is_member(context) -> bool:
    """Whether the person viewing the page is a member in good standing.

    Computed once per request (the navigation and pages may both ask).
    """
    request = context.get("request")
    if request is None:
        return False
    cached = getattr(request, "_commons_viewer_is_member", None)
    if cached is None:
        cached = selectors.is_member(getattr(request, "user", None))
        request._commons_viewer_is_member = cached
    return cached


@register.simple_tag(takes_context=True)
def current_if(context, *names: str) -> str:
    """`aria-current="page"` when the current view is one of `names`.

    A name ending in ":" matches a whole app namespace (`"proposals:"`); a
    name starting with "!" is a view of it that another link names, so only
    that link is current (`"!proposals:notifications"`).
    """
    request = context.get("request")
    match = getattr(request, "resolver_match", None) if request is not None else None
    if match is None or f"!{match.view_name}" in names:
        return ""
    for name in names:
        if name.endswith(":") and match.namespace == name[:-1]:
            return ARIA_CURRENT
        if match.view_name == name:
            return ARIA_CURRENT
    return ""


@register.filter
def role_label(role: str) -> str:
    return str(selectors.ROLE_LABELS.get(role, role))


@register.simple_tag(takes_context=True)
def dashboard_section(context, section, section_context):
    """One registered dashboard section (members/dashboard.py), rendered in the
    page's context with its own on top (as an inclusion tag would: the context
    processors do not run again for each section)."""
    template = context.template.engine.get_template(section.template)
    with context.push(section_context):
        return template.render(context)
