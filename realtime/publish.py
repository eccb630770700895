"""Events that other apps publish into a proposal's live debate.

Contract (owned by the realtime app): call these inside the transaction that
made the change; the event is stored with the debate's next sequence number
and broadcast after commit. Each costs one locked read of the debate row, one
update and one insert.
"""

from __future__ import annotations

from realtime import events


def tally_visible(proposal) -> bool:
    """The frozen bylaw parameter decides; closed decisions are always public."""
    from proposals.models import State

    if proposal.state != State.VOTING:
        return True
    rules = proposal.rules or {}
    return bool(rules.get("tally_visible_during_vote", True))


def tally_data(proposal) -> dict:
    return {
        "yes": proposal.yes_count,
        "no": proposal.no_count,
        "abstain": proposal.abstain_count,
        "electorate": proposal.electorate_size,
    }


def proposal_state_changed(*, proposal) -> None:
    """The proposal moved to a new state."""
    from realtime.services import is_open_for_posting

    data = {
        "proposal": proposal.pk,
        "state": proposal.state,
        "is_open": is_open_for_posting(proposal),
    }
    if tally_visible(proposal) and proposal.ballots_cast:
        data["tally"] = tally_data(proposal)
    debate = events.lock_debate(proposal.pk)
    events.append_event(debate, type=events.PROPOSAL_STATE, data=data)


def tally_changed(*, proposal) -> None:
    """A ballot changed the running tally (broadcast only if the rules allow it)."""
    if not tally_visible(proposal):
        return
    debate = events.lock_debate(proposal.pk)
    events.append_event(
        debate, type=events.TALLY, data={"proposal": proposal.pk, **tally_data(proposal)}
    )
