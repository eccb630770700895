"""The debate's panel on a proposal's page (registered in `DebatesConfig.ready`
with `proposals.panels`, and used by the standalone debate page)."""

from __future__ import annotations

from typing import Any

from debates import selectors
from debates.models import MAX_BODY_BYTES
from debates.permissions import can_moderate, is_open_for_posting
from debates.services import too_long_message
from members.selectors import is_member
from proposals.broadcasts import tally_data
from proposals.models import State
from proposals.panels import Panel
from proposals.phases import DECIDED_STATES, tally_is_public


def panel_context(*, request, proposal, page_context: dict[str, Any]) -> dict[str, Any]:
    user = getattr(request, "user", None) or page_context.get("user")
    is_steward = can_moderate(user)
    return {
        "proposal": proposal,
        "debate": selectors.debate_view(proposal_id=proposal.pk, with_flags=is_steward),
        "user": user,
        "is_member": is_member(user),
        "is_steward": is_steward,
        "is_open": is_open_for_posting(proposal),
        "next_url": request.get_full_path() if request is not None else "",
        "show_tally": tally_is_public(proposal),
        "tally_is_final": proposal.state in DECIDED_STATES,
        "tally": tally_data(proposal),
        "state_labels": {state.value: str(state.label) for state in State},
        "form_error": page_context.get("debate_form_error"),
        "form_data": page_context.get("debate_form_data") or {},
        # The page checks the size before sending, with the service's words.
        "max_body_bytes": MAX_BODY_BYTES,
        "too_long_message": too_long_message(),
    }


DEBATE_PANEL = Panel(name="debate", template="debates/panel.html", context=panel_context, order=50)
