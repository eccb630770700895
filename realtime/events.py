"""Publishing into a stream: store the event, then broadcast it.

An event is stored first, with the stream's next sequence number (the stream
row is locked to take it), and broadcast to the stream's group only after the
transaction commits. Delivery through the channel layer is at-most-once;
clients fill any gap from the stored log by sequence number.

Call `publish` inside the transaction that made the change: if it rolls
back, nothing is stored and nothing is broadcast.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.utils import timezone

from realtime.models import Stream, StreamEvent

logger = logging.getLogger(__name__)

# The frames the transport itself sends (apps name their own event types).
WELCOME = "stream.welcome"
PRESENCE = "stream.presence"
RESYNC = "stream.resync"
HEARTBEAT = "stream.heartbeat"

# The messages the channel layer carries to each process's hub (fanout.py).
LAYER_EVENT = "stream.event"
LAYER_PRESENCE = "stream.presence_changed"

_KEY = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$")


def stream_key(*parts: str | int) -> str:
    """A stream's key from server-side values only, e.g. ("proposal", 42) →
    "proposal.42". Never built from client input."""
    key = ".".join(str(int(p)) if isinstance(p, int) else p for p in parts)
    if not _KEY.match(key) or len(key) > 100:
        raise ValueError(f"not a stream key: {key!r}")
    return key


def group_name(key: str) -> str:
    """The channel-layer group of a stream (letters, digits, . - _ only)."""
    return f"stream.{key}"


def lock_stream(key: str) -> Stream:
    """The stream with this key, created on first use, its row locked."""
    stream = Stream.objects.select_for_update().filter(key=key).first()
    if stream is not None:
        return stream
    try:
        with transaction.atomic():
            Stream.objects.create(key=key, created_at=timezone.now())
    except IntegrityError:  # created meanwhile by a concurrent transaction
        pass
    return Stream.objects.select_for_update().get(key=key)


def frame(*, type: str, seq: int, at: str, data: dict[str, Any]) -> str:
    return json.dumps({"type": type, "seq": seq, "at": at, "data": data}, separators=(",", ":"))


def event_frame(event: StreamEvent) -> str:
    return frame(
        type=event.type, seq=event.seq, at=event.created_at.isoformat(), data=event.payload
    )


def publish(key: str, *, type: str, data: dict[str, Any]) -> StreamEvent:
    """Store the next event of stream ``key`` and broadcast it after commit."""
    return append_event(lock_stream(key), type=type, data=data)


def append_event(stream: Stream, *, type: str, data: dict[str, Any]) -> StreamEvent:
    """Store the next event of a locked stream and broadcast it after commit."""
    stream.last_seq += 1
    stream.save(update_fields=["last_seq"])
    event = StreamEvent.objects.create(
        stream=stream, seq=stream.last_seq, type=type, payload=data, created_at=timezone.now()
    )
    message = {"type": LAYER_EVENT, "seq": event.seq, "text": event_frame(event)}
    group = group_name(stream.key)
    transaction.on_commit(lambda: group_send(group, message))
    return event


def group_send(group: str, message: dict[str, Any]) -> None:
    """Send to a group from synchronous code; a failing layer is logged, never
    raised (the event is stored and clients catch up from the database)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _send(layer, group, message)
        return
    # An event loop runs in this very thread (sync code under an async
    # driver): AsyncToSync refuses to nest, so send from a helper thread.
    helper = threading.Thread(target=_send, args=(layer, group, message), daemon=True)
    helper.start()
    helper.join(timeout=5)


def _send(layer, group: str, message: dict[str, Any]) -> None:
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # delivery is best-effort; the stored log is the truth
        logger.exception("broadcast to %s failed", group)
