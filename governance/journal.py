"""Appending to a hash chain (the governance journal, the treasury ledger).

The hashing rule itself lives in `governance/chain.py`, the same file that
auditors run offline, so the app and the auditors cannot disagree about it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from governance import chain
from governance.models import ChainedEntry, ChainHead, JournalEntry

GOVERNANCE_CHAIN = JournalEntry.chain_name


def chain_timestamp(moment: datetime | None = None) -> str:
    moment = (moment or timezone.now()).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def actor_name(actor) -> str:
    """Entries name people by their public username, never by private data."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return actor.get_username()


@transaction.atomic
def append_to_chain(
    *,
    model: type[ChainedEntry],
    kind: str,
    actor: str,
    payload: dict[str, Any],
    **fields: Any,
) -> ChainedEntry:
    """Append one entry to `model`'s chain; the head row lock makes concurrent
    appends take turns. The guards accept the entry only if it follows the
    head, and the head only if it moves to this entry."""
    head = ChainHead.objects.select_for_update().get(name=model.chain_name)
    entry_fields = chain.make_entry(
        prev=head.hash,
        seq=head.seq + 1,
        at=chain_timestamp(),
        kind=kind,
        actor=actor,
        payload=payload,
    )
    entry = model.objects.create(**entry_fields, **fields)
    head.seq = entry.seq
    head.hash = entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


def record(*, kind: str, actor=None, payload: dict[str, Any]) -> JournalEntry:
    """Journal a governance event inside the caller's transaction."""
    return append_to_chain(
        model=JournalEntry,
        kind=kind,
        actor=actor if isinstance(actor, str) else actor_name(actor),
        payload=payload,
    )
