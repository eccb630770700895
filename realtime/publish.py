"""Events that other apps publish into a proposal's live debate.

Contract (owned by the realtime app): call these inside the transaction that
made the change; the event is stored with the debate's next sequence number
and broadcast after commit.
"""

from __future__ import annotations


def proposal_state_changed(*, proposal) -> None:
    """The proposal moved to a new state."""


def tally_changed(*, proposal) -> None:
    """A ballot changed the running tally (broadcast only if the rules allow it)."""
