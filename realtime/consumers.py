"""The websocket consumer every live page builds on: it follows one stream.

On connect it asks its app (`join`) which stream the person may follow, then
welcomes them, replays what they missed after `?after=`, relays live events
in order (filling any gap from the stored log), counts presence, answers
`ping` and `catch_up`, and throttles floods. Any other frame goes to the
app's `act`. The JSON protocol is described in docs/realtime.md.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
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
# coalesced per stream, and in large audiences sent at most every 10 seconds.
PRESENCE_DELAY = 0.5
LARGE_AUDIENCE = 100
LARGE_AUDIENCE_INTERVAL = 10.0

CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429

# Presence broadcasts are coalesced per stream within each server process:
# streams with a broadcast scheduled, and those that changed meanwhile.
_presence_pending: set[str] = set()
_presence_dirty: set[str] = set()

# Open connections of visitors without an account, per client address, in this
# server process: reading needs no account, so this is what stops one machine
# from opening sockets until the server runs out of them.
_anonymous_by_address: collections.Counter[str] = collections.Counter()


# Channels gives a consumer a channel of its own, with a blocking read on it,
# unless its layer alias names no configured layer. Stream consumers need none:
# the process's hub relays their events (fanout.py). Per-connection reads
# would also put one blocking Redis read per socket in the process, and
# redis-py can swallow the cancellation of a blocking read (redis/redis-py#2028),
# leaving a task behind at every unlucky disconnect.
NO_CHANNEL_OF_ITS_OWN = "stream-connections-have-no-channel"


@dataclass(frozen=True)
class Welcome:
    """What `join` returns: the stream followed and what the welcome frame
    tells the client besides its number and the presence count."""

    joined: services.Joined
    data: dict = field(default_factory=dict)


class StreamConsumer(AsyncWebsocketConsumer):
    """Subclasses implement `join` (which stream, may this person follow it)
    and, if clients may act, `act`."""

    channel_layer_alias = NO_CHANNEL_OF_ITS_OWN
    key: str | None = None
    counted_address: str | None = None
    joined = False
    catching_up = False
    missed = False

    # Hooks ---------------------------------------------------------------------
    # Subclasses define `join(self, *, person, channel_name) -> Welcome`, run in
    # a database thread: which stream, and may this person follow it (a
    # DomainError refuses, 404 closes with 4404).

    async def act(self, kind: str, message: dict, ref) -> None:
        """A frame of a type the transport does not handle itself."""
        await self.error("unknown_type", _("Unknown frame type."), ref)

    # Connection ----------------------------------------------------------------

    async def connect(self):
        self.language = self._language()
        self.last_seq = 0
        self.tokens = FRAME_BURST
        self.refilled_at = time.monotonic()
        self.throttled_notice_at = 0.0
        # Names this connection in the presence table (unique across servers).
        self.channel_name = f"stream.{uuid.uuid4().hex}"
        await self.accept()
        if not self._admit_anonymous():
            await self.error(
                "too_many_connections",
                _("Too many live windows are open from your address; close one and try again."),
            )
            await self.close(code=CLOSE_TOO_MANY)
            return
        try:
            welcome = await self.call(
                self.join, person=self.scope.get("user"), channel_name=self.channel_name
            )
        except DomainError as error:
            await self.error(error.code, error.message)
            close_code = CLOSE_NOT_FOUND if error.http_status == 404 else CLOSE_TOO_MANY
            await self.close(code=close_code)
            return
        self.key = welcome.joined.key
        self.joined = True
        after = self._after_from_query()
        last = welcome.joined.last_seq
        self.last_seq = last if after is None else min(after, last)
        # Live events are held back (and noted) until the stored log is replayed.
        self.catching_up = True
        await fanout.hub().join(self.key, self)
        await self.send(
            text_data=events.frame(
                type=events.WELCOME,
                seq=last,
                at="",
                data={"presence": welcome.joined.presence, **welcome.data},
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
        await database_sync_to_async(services.leave_stream)(channel_name=self.channel_name)
        await fanout.hub().leave(self.key, self)
        self._schedule_presence()

    # Client → server -------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if not self.joined:
            return
        if not self._take_token():
            return
        if text_data is None:
            await self.error("invalid_frame", _("Send JSON text frames, not binary ones."))
            return
        if len(text_data) > MAX_FRAME_CHARS:
            await self.error(
                "too_large",
                _("This frame is too large; a message can be at most 10 KB long."),
            )
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self.error("invalid_json", _("This frame is not valid JSON."))
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.error("invalid_frame", _("A frame is a JSON object with a type."))
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
                await self.error("invalid_frame", _("catch_up needs a whole number 'after'."), ref)
                return
            self.last_seq = min(self.last_seq, after)
            await self._catch_up()
        else:
            await self.act(kind, message, ref)

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
                key=self.key, after=self.last_seq, limit=CATCH_UP_BATCH
            )
            for stored in batch:
                await self.send(text_data=events.event_frame(stored))
                self.last_seq = stored.seq
            sent += len(batch)
            if len(batch) < CATCH_UP_BATCH:
                return True
        # Too far behind to replay: the client reloads the page instead.
        await self.send(
            text_data=events.frame(type=events.RESYNC, seq=self.last_seq, at="", data={})
        )
        return False

    # Helpers -----------------------------------------------------------------

    async def error(self, code: str, message: str, ref=None) -> None:
        frame = {"type": "error", "code": code, "message": str(message)}
        if ref is not None:
            frame["ref"] = ref
        await self.send(text_data=json.dumps(frame))

    async def call(self, function, **kwargs):
        """Run a service in a database thread, in the connection's language."""
        language = self.language

        def run():
            with translation.override(language):
                return function(**kwargs)

        return await database_sync_to_async(run)()

    def _schedule_presence(self) -> None:
        key = self.key
        if key is None:
            return
        if key in _presence_pending:
            _presence_dirty.add(key)
            return
        _presence_pending.add(key)
        layer = get_channel_layer()
        asyncio.get_running_loop().create_task(_broadcast_presence(layer, key))

    def _admit_anonymous(self) -> bool:
        """Members are limited per account (services.join_stream); visitors
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
                self.error("throttled", _("Too many frames: slow down; some were ignored."))
            )
        return False

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


async def _broadcast_presence(layer, key: str) -> None:
    try:
        while True:
            await asyncio.sleep(PRESENCE_DELAY)
            _presence_dirty.discard(key)
            count = await database_sync_to_async(services.presence_count)(key=key)
            await layer.group_send(
                events.group_name(key), {"type": events.LAYER_PRESENCE, "count": count}
            )
            if count >= LARGE_AUDIENCE:
                await asyncio.sleep(LARGE_AUDIENCE_INTERVAL)
            if key not in _presence_dirty:
                return
    except Exception:  # presence is informative; never let it break a server
        logger.exception("presence broadcast for stream %s failed", key)
    finally:
        _presence_pending.discard(key)
        _presence_dirty.discard(key)
