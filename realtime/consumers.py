"""The websocket of a proposal's live debate (`/ws/proposals/<id>/`).

Thin: it parses frames, calls services and selectors, and relays stored
events. The JSON protocol is described in docs/realtime.md.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import time
import uuid
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from kernel.errors import DomainError
from realtime import events, fanout, selectors, services

logger = logging.getLogger(__name__)

# A frame is JSON around a message of at most 10 KB (escaping can grow it).
MAX_FRAME_CHARS = 64 * 1024
CATCH_UP_BATCH = 500
CATCH_UP_MAX = 5000
# Token bucket per connection: sustained frames a second, and the burst allowed.
FRAMES_PER_SECOND = 5.0
FRAME_BURST = 20.0
# Presence is informative and each broadcast costs one frame per reader: it is
# coalesced per debate, and in large audiences sent at most every 10 seconds.
PRESENCE_DELAY = 0.5
LARGE_AUDIENCE = 100
LARGE_AUDIENCE_INTERVAL = 10.0

CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429

ACTIONS = {
    "post": "post_argument",
    "edit": "edit_argument",
    "flag": "flag_argument",
    "hide": "hide_argument",
    "request_review": "request_review",
    "restore": "restore_argument",
    "confirm": "confirm_hiding",
}

# Presence broadcasts are coalesced per debate within each server process:
# debates with a broadcast scheduled, and those that changed meanwhile.
_presence_pending: set[int] = set()
_presence_dirty: set[int] = set()

# Open connections of visitors without an account, per client address, in this
# server process: reading needs no account, so this is what stops one machine
# from opening sockets until the server runs out of them.
_anonymous_by_address: collections.Counter[str] = collections.Counter()


# Channels gives a consumer a channel of its own, with a blocking read on it,
# unless its layer alias names no configured layer. Debate consumers need none:
# the process's hub relays their events (fanout.py). Per-connection reads
# would also put one blocking Redis read per socket in the process, and
# redis-py can swallow the cancellation of a blocking read (redis/redis-py#2028),
# leaving a task behind at every unlucky disconnect.
NO_CHANNEL_OF_ITS_OWN = "debate-connections-have-no-channel"


class DebateConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = NO_CHANNEL_OF_ITS_OWN
    proposal_id: int | None = None
    counted_address: str | None = None
    joined = False
    catching_up = False
    missed = False

    async def connect(self):
        self.language = self._language()
        self.last_seq = 0
        self.tokens = FRAME_BURST
        self.refilled_at = time.monotonic()
        self.throttled_notice_at = 0.0
        self.proposal_id = int(self.scope["url_route"]["kwargs"]["proposal_id"])
        # Names this connection in the presence table (unique across servers).
        self.channel_name = f"debate.{uuid.uuid4().hex}"
        await self.accept()
        if not self._admit_anonymous():
            await self._error(
                "too_many_connections",
                _("Too many debate windows are open from your address; close one and try again."),
            )
            await self.close(code=CLOSE_TOO_MANY)
            return
        try:
            joined = await self._call(
                services.join_debate,
                person=self.scope.get("user"),
                proposal_id=self.proposal_id,
                channel_name=self.channel_name,
            )
        except DomainError as error:
            await self._error(error.code, error.message)
            close_code = CLOSE_NOT_FOUND if error.http_status == 404 else CLOSE_TOO_MANY
            await self.close(code=close_code)
            return
        self.joined = True
        after = self._after_from_query()
        self.last_seq = joined.last_seq if after is None else min(after, joined.last_seq)
        # Live events are held back (and noted) until the stored log is replayed.
        self.catching_up = True
        await fanout.hub().join(self.proposal_id, self)
        await self.send(
            text_data=events.frame(
                type="debate.welcome",
                seq=joined.last_seq,
                at="",
                data={
                    "proposal": self.proposal_id,
                    "presence": joined.presence,
                    "is_member": joined.is_member,
                    "is_steward": joined.is_steward,
                    "is_open": joined.is_open,
                },
            )
        )
        await self._catch_up(marked=True)
        self._schedule_presence()

    async def disconnect(self, code):
        if self.counted_address is not None:
            _anonymous_by_address[self.counted_address] -= 1
            if _anonymous_by_address[self.counted_address] <= 0:
                del _anonymous_by_address[self.counted_address]
            self.counted_address = None
        if not self.joined:
            return
        self.joined = False
        await database_sync_to_async(services.leave_debate)(channel_name=self.channel_name)
        await fanout.hub().leave(self.proposal_id, self)
        self._schedule_presence()

    # Client → server -------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if not self.joined:
            return
        if not self._take_token():
            return
        if text_data is None:
            await self._error("invalid_frame", _("Send JSON text frames, not binary ones."))
            return
        if len(text_data) > MAX_FRAME_CHARS:
            await self._error(
                "too_large",
                _("This frame is too large; a message can be at most 10 KB long."),
            )
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self._error("invalid_json", _("This frame is not valid JSON."))
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self._error("invalid_frame", _("A frame is a JSON object with a type."))
            return
        ref = message.get("ref")
        if not isinstance(ref, str | int) or isinstance(ref, bool):
            ref = None
        kind = message["type"]
        await database_sync_to_async(services.touch_presence)(channel_name=self.channel_name)
        if kind == "ping":
            await self.send(text_data=json.dumps({"type": "pong", "seq": self.last_seq}))
        elif kind == "catch_up":
            after = message.get("after")
            if isinstance(after, bool) or not isinstance(after, int) or after < 0:
                await self._error("invalid_frame", _("catch_up needs a whole number 'after'."), ref)
                return
            self.last_seq = min(self.last_seq, after)
            await self._catch_up()
        elif kind in ACTIONS:
            await self._act(kind, message, ref)
        else:
            await self._error("unknown_type", _("Unknown frame type."), ref)

    async def _act(self, kind: str, message: dict, ref) -> None:
        service = getattr(services, ACTIONS[kind])
        user = self.scope.get("user")
        if not getattr(user, "is_authenticated", False):
            await self._error(
                "not_authenticated", _("Log in as a member to take part in the debate."), ref
            )
            return
        if kind == "post":
            kwargs = {
                "proposal_id": self.proposal_id,
                "body": message.get("body"),
                "stance": message.get("stance") or "",
                "parent_id": message.get("parent"),
            }
        else:
            kwargs = {"argument_id": message.get("argument")}
            if kind == "edit":
                kwargs["body"] = message.get("body")
            else:
                kwargs["reason"] = message.get("reason") or ""
            if not isinstance(kwargs["argument_id"], int) or isinstance(
                kwargs["argument_id"], bool
            ):
                await self._error("invalid_frame", _("Name the message by its number."), ref)
                return
            if not await self._in_this_debate(kwargs["argument_id"]):
                await self._error("not_found", _("There is no such message in this debate."), ref)
                return
        try:
            argument = await self._call(service, actor=user, **kwargs)
        except DomainError as error:
            await self._error(error.code, error.message, ref)
            return
        await self.send(
            text_data=json.dumps(
                {"type": "ack", "ref": ref, "action": kind, "argument": argument.argument_id}
                if kind == "flag"
                else {"type": "ack", "ref": ref, "action": kind, "argument": argument.pk}
            )
        )

    @database_sync_to_async
    def _in_this_debate(self, argument_id: int) -> bool:
        argument = selectors.argument_with_debate(argument_id)
        return argument is not None and argument.debate.proposal_id == self.proposal_id

    # Server → client -------------------------------------------------------

    def deliver_event(self, seq: int, text: str) -> None:
        """A stored event, relayed by this process's hub. Must not block: sends
        are queued in order; a gap is filled from the stored log."""
        if self.catching_up:
            self.missed = True
            return
        if seq <= self.last_seq:
            return
        if seq > self.last_seq + 1:
            self.catching_up = True
            asyncio.get_running_loop().create_task(self._catch_up(marked=True))
            return
        self.last_seq = seq
        asyncio.get_running_loop().create_task(self.send(text_data=text))

    def deliver_presence(self, count: int) -> None:
        frame = events.frame(type=events.PRESENCE, seq=self.last_seq, at="", data={"count": count})
        asyncio.get_running_loop().create_task(self.send(text_data=frame))

    async def _catch_up(self, *, marked: bool = False) -> None:
        """Replay stored events after `last_seq`, again while live ones were missed."""
        if self.catching_up and not marked:
            self.missed = True
            return
        self.catching_up = True
        try:
            while True:
                self.missed = False
                if not await self._replay():
                    return
                if not self.missed:
                    return
        finally:
            self.catching_up = False

    async def _replay(self) -> bool:
        sent = 0
        while sent < CATCH_UP_MAX:
            batch = await database_sync_to_async(selectors.events_after)(
                proposal_id=self.proposal_id, after=self.last_seq, limit=CATCH_UP_BATCH
            )
            for stored in batch:
                await self.send(text_data=events.event_frame(stored))
                self.last_seq = stored.seq
            sent += len(batch)
            if len(batch) < CATCH_UP_BATCH:
                return True
        # Too far behind to replay: the client reloads the page instead.
        await self.send(
            text_data=events.frame(type="debate.resync", seq=self.last_seq, at="", data={})
        )
        return False

    # Helpers -----------------------------------------------------------------

    def _schedule_presence(self) -> None:
        proposal_id = self.proposal_id
        if proposal_id is None:
            return
        if proposal_id in _presence_pending:
            _presence_dirty.add(proposal_id)
            return
        _presence_pending.add(proposal_id)
        layer = get_channel_layer()
        asyncio.get_running_loop().create_task(_broadcast_presence(layer, proposal_id))

    def _admit_anonymous(self) -> bool:
        """Members are limited per account (services.join_debate); visitors
        without one per client address, in each server process."""
        if getattr(self.scope.get("user"), "is_authenticated", False):
            return True
        limit = settings.REALTIME_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS
        address = (self.scope.get("client") or [None])[0]
        if not limit or address is None:
            return True
        if _anonymous_by_address[address] >= limit:
            return False
        _anonymous_by_address[address] += 1
        self.counted_address = address
        return True

    def _take_token(self) -> bool:
        """Throttle floods: frames beyond the budget are dropped, with at most
        one error frame a second telling the client why."""
        now = time.monotonic()
        self.tokens = min(FRAME_BURST, self.tokens + (now - self.refilled_at) * FRAMES_PER_SECOND)
        self.refilled_at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        if now - self.throttled_notice_at >= 1:
            self.throttled_notice_at = now
            asyncio.get_running_loop().create_task(
                self._error("throttled", _("Too many frames: slow down; some were ignored."))
            )
        return False

    async def _error(self, code: str, message: str, ref=None) -> None:
        frame = {"type": "error", "code": code, "message": str(message)}
        if ref is not None:
            frame["ref"] = ref
        await self.send(text_data=json.dumps(frame))

    async def _call(self, function, **kwargs):
        language = self.language

        def run():
            with translation.override(language):
                return function(**kwargs)

        return await database_sync_to_async(run)()

    def _after_from_query(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        raw = (query.get("after") or [None])[0]
        if raw is None or not raw.isdigit():
            return None
        return int(raw)

    def _language(self) -> str:
        cookies = self.scope.get("cookies") or {}
        wanted = cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
        known = {code for code, _name in settings.LANGUAGES}
        return wanted if wanted in known else settings.LANGUAGE_CODE


async def _broadcast_presence(layer, proposal_id: int) -> None:
    try:
        while True:
            await asyncio.sleep(PRESENCE_DELAY)
            _presence_dirty.discard(proposal_id)
            count = await database_sync_to_async(_presence_for)(proposal_id)
            await layer.group_send(
                events.proposal_group(proposal_id),
                {"type": events.LAYER_PRESENCE, "count": count},
            )
            if count >= LARGE_AUDIENCE:
                await asyncio.sleep(LARGE_AUDIENCE_INTERVAL)
            if proposal_id not in _presence_dirty:
                return
    except Exception:  # presence is informative; never let it break a server
        logger.exception("presence broadcast for proposal %s failed", proposal_id)
    finally:
        _presence_pending.discard(proposal_id)
        _presence_dirty.discard(proposal_id)


def _presence_for(proposal_id: int) -> int:
    debate = selectors.debate_of(proposal_id)
    return 0 if debate is None else services.presence_count(debate_id=debate.pk)
