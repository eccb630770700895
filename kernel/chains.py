"""Appending to a hash chain (the governance journal, the ledger, any other).

The hashing rule itself lives in `kernel/chain.py`, the same file auditors
run offline, so the application and the auditors cannot disagree about it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from kernel import chain
from kernel.models import ChainedEntry, ChainHead


def chain_timestamp(moment: datetime | None = None) -> str:
    """A moment as the chains write it: UTC, ISO 8601, microseconds, `Z`."""
    moment = (moment or timezone.now()).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def actor_name(actor) -> str:
    """Entries name people by their public username, never by private data."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return actor.get_username()


def chains() -> list[type[ChainedEntry]]:
    """Every hash chain's entry model, found among the installed models."""
    return sorted(
        (m for m in apps.get_models() if issubclass(m, ChainedEntry) and m.chain_name),
        key=lambda m: m.chain_name,
    )


# Within `heads_read_once()`, the heads of every chain read in one query.
_heads_read: ContextVar[dict[str, tuple[int, str]] | None] = ContextVar("heads_read", default=None)


@contextmanager
def heads_read_once() -> Iterator[None]:
    """For a read-only page that shows several chains' heads (the dashboard
    shows the journal head and the treasury cached under the ledger head):
    the first `head_of` inside reads every head in one query, and the
    others reuse it. Never around a write: the heads would go stale."""
    token = _heads_read.set({})
    try:
        yield
    finally:
        _heads_read.reset(token)


def reading_heads_once() -> bool:
    """Whether this is a read-only page inside `heads_read_once()`."""
    return _heads_read.get() is not None


def head_of(name: str) -> tuple[int, str]:
    """(seq, hash) of a chain's head; (0, 64 zeros) before its first entry."""
    memo = _heads_read.get()
    if memo is None:
        head = ChainHead.objects.filter(name=name).values_list("seq", "hash").first()
        return head if head is not None else (0, chain.GENESIS_PREV)
    if not memo:
        memo.update(
            {n: (seq, h) for n, seq, h in ChainHead.objects.values_list("name", "seq", "hash")}
        )
        memo.setdefault("", (0, chain.GENESIS_PREV))  # read, even when no chain has begun
    return memo.get(name, (0, chain.GENESIS_PREV))


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


def create_heads(sender, using="default", **kwargs) -> None:
    """Every chain starts with a head at seq 0 (after `migrate`, and after the
    test suite's flush)."""
    for model in chains():
        ChainHead.objects.using(using).get_or_create(
            name=model.chain_name, defaults={"seq": 0, "hash": chain.GENESIS_PREV}
        )
