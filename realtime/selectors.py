"""Reads of the streams' stored events (catch-up after a gap or a reconnect)."""

from __future__ import annotations

from realtime.models import Stream, StreamEvent


def events_after(*, key: str, after: int, limit: int = 500) -> list[StreamEvent]:
    return list(StreamEvent.objects.filter(stream__key=key, seq__gt=after).order_by("seq")[:limit])


def last_seq(key: str) -> int:
    """The number of the newest event of a stream (0 before its first)."""
    return Stream.objects.filter(key=key).values_list("last_seq", flat=True).first() or 0


def last_seqs(keys: list[str]) -> dict[str, int]:
    """The newest event number of each stream, in one query."""
    return dict(Stream.objects.filter(key__in=keys).values_list("key", "last_seq"))
