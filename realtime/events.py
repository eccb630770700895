"""The numbered event log of each debate and its delivery.

An event is stored first, with the debate's next sequence number (the debate
row is locked to take it), and broadcast to the proposal's group only after
the transaction commits. Delivery through the channel layer is at-most-once;
clients fill any gap from the stored log by sequence number.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.utils import timezone

from realtime.models import Debate, DebateEvent

logger = logging.getLogger(__name__)

ARGUMENT_POSTED = "debate.argument_posted"
ARGUMENT_EDITED = "debate.argument_edited"
ARGUMENT_HIDDEN = "debate.argument_hidden"
ARGUMENT_RESTORED = "debate.argument_restored"
ARGUMENT_MODERATED = "debate.argument_moderated"
TALLY = "debate.tally"
PROPOSAL_STATE = "debate.proposal_state"
PRESENCE = "debate.presence"

# The message type that consumers handle (`debate_event`).
LAYER_EVENT = "debate.event"
LAYER_PRESENCE = "debate.presence_changed"


def proposal_group(proposal_id: int) -> str:
    """The only source of group names: never built from client input."""
    return f"proposal.{int(proposal_id)}"


def lock_debate(proposal_id: int) -> Debate:
    """The debate of a proposal, created on first use, its row locked."""
    debate = Debate.objects.select_for_update().filter(proposal_id=proposal_id).first()
    if debate is not None:
        return debate
    try:
        with transaction.atomic():
            Debate.objects.create(proposal_id=proposal_id, created_at=timezone.now())
    except IntegrityError:  # created meanwhile by a concurrent transaction
        pass
    return Debate.objects.select_for_update().get(proposal_id=proposal_id)


def frame(*, type: str, seq: int, at: str, data: dict[str, Any]) -> str:
    return json.dumps({"type": type, "seq": seq, "at": at, "data": data}, separators=(",", ":"))


def event_frame(event: DebateEvent) -> str:
    return frame(
        type=event.type, seq=event.seq, at=event.created_at.isoformat(), data=event.payload
    )


def append_event(debate: Debate, *, type: str, data: dict[str, Any]) -> DebateEvent:
    """Store the next event of a locked debate and broadcast it after commit."""
    debate.last_seq += 1
    debate.save(update_fields=["last_seq"])
    event = DebateEvent.objects.create(
        debate=debate, seq=debate.last_seq, type=type, payload=data, created_at=timezone.now()
    )
    message = {"type": LAYER_EVENT, "seq": event.seq, "text": event_frame(event)}
    group = proposal_group(debate.proposal_id)
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
