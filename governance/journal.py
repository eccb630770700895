"""The governance journal: every governance event, in order, in a hash chain
(`kernel/chains.py` appends; `kernel/chain.py` holds the rule)."""

from __future__ import annotations

from typing import Any

from governance.models import JournalEntry
from kernel.chains import actor_name, append_to_chain, chain_timestamp

__all__ = ["GOVERNANCE_CHAIN", "actor_name", "chain_timestamp", "record"]

GOVERNANCE_CHAIN = JournalEntry.chain_name


def record(*, kind: str, actor=None, payload: dict[str, Any]) -> JournalEntry:
    """Journal a governance event inside the caller's transaction."""
    return append_to_chain(
        model=JournalEntry,
        kind=kind,
        actor=actor if isinstance(actor, str) else actor_name(actor),
        payload=payload,
    )
