"""`{% debate_panel proposal %}`: the live debate of a proposal, on the
standalone debate page (the proposal's own page shows it as a registered panel)."""

from __future__ import annotations

from django import template

from debates.panels import panel_context

register = template.Library()


@register.inclusion_tag("debates/panel.html", takes_context=True)
def debate_panel(context, proposal):
    return {
        **panel_context(
            request=context.get("request"), proposal=proposal, page_context=context.flatten()
        ),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
