"""`{% debate_panel proposal %}`: the live debate of a proposal, on any page."""

from __future__ import annotations

from django import template

from members.selectors import has_role, is_member
from proposals.models import State
from proposals.selectors import tally_is_visible
from realtime import publish, selectors, services

register = template.Library()


@register.inclusion_tag("realtime/panel.html", takes_context=True)
def debate_panel(context, proposal):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    is_steward = has_role(user, "steward")
    view = selectors.debate_view(proposal_id=proposal.pk, with_flags=is_steward)
    show_tally = tally_is_visible(proposal)
    return {
        "proposal": proposal,
        "debate": view,
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "is_member": is_member(user),
        "is_steward": is_steward,
        "is_open": services.is_open_for_posting(proposal),
        "next_url": request.get_full_path() if request is not None else "",
        "show_tally": show_tally,
        "tally": publish.tally_data(proposal),
        "state_labels": {state.value: str(state.label) for state in State},
        "form_error": context.get("debate_form_error"),
        "form_data": context.get("debate_form_data") or {},
    }
