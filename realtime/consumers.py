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
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from kernel import jsontext
from kernel.errors import DomainError
from kernel.ids import as_number
from realtime import events, fanout, selectors, services

logger = logging.getLogger(__name__)

# A frame is JSON around a message of at most 10 KB (escaping can grow it).
MAX_FRAME_CHARS = 64 * 1024
# The apps' messages are at most this long (debates.models.MAX_BODY_BYTES):
# a frame too large to be read gets the same words as a message too long
# (debates.services.too_long_message), so a person sees one reason either way.
MESSAGE_LIMIT_KB = 10
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
# The server could not set the connection up now (its database failed while
# joining): "try again later", as HTTP's 503; clients reconnect. Not the
# standard 1013: Autobahn, under Daphne, lets a server close only with 1000
# or 3000-4999, and refused 1013 with an error, leaving the socket open.
CLOSE_TRY_AGAIN = 4503

# Presence broadcasts are coalesced per stream within each server process:
# streams with a broadcast scheduled, and those that changed meanwhile.
_presence_pending: set[str] = set()
_presence_dirty: set[str] = set()

# Tasks started without awaiting them (sends, catch-ups, presence broadcasts):
# the event loop keeps only weak references, so they are held here until done.
_background: set[asyncio.Task] = set()


def spawn(coroutine) -> asyncio.Task:
    task = asyncio.get_running_loop().create_task(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task


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

    # Crash-proofing ------------------------------------------------------------
    # Whatever a frame holds and whatever fails underneath, a connection never
    # dies with an unhandled error (Daphne's close 1011), and its accounting
    # (presence, the per-address count) is released however it ends.

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            await asyncio.shield(self._release())

    async def dispatch(self, message):
        try:
            await super().dispatch(message)
        except (StopConsumer, asyncio.CancelledError):
            raise
        except Exception:
            logger.exception(
                "stream connection %s: %s failed",
                getattr(self, "channel_name", "?"),
                message.get("type"),
            )
            if message.get("type") == "websocket.receive" and self.joined:
                await self.error(
                    "server_error", _("This frame could not be handled; it was ignored.")
                )
                return
            # Connecting failed (the database or channel layer is down): say
            # so, and close with "try again later".
            try:
                await self.error(
                    "unavailable", _("Live updates are unavailable right now; try again shortly.")
                )
                await self.close(code=CLOSE_TRY_AGAIN)
            except Exception:  # not accepted yet, or already gone: nothing more to say
                logger.debug("could not tell the client", exc_info=True)
            raise StopConsumer from None

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
                data={
                    "presence": welcome.joined.presence,
                    "heartbeat": fanout.heartbeat_seconds(),
                    **welcome.data,
                },
            )
        )
        await self._catch_up(marked=True)
        self._schedule_presence()

    async def disconnect(self, code):
        await self._release()

    async def _release(self) -> None:
        """Undo what connecting counted; safe to run twice, and after any failure."""
        if self.counted_address is not None:
            _anonymous_by_address[self.counted_address] -= 1
            if _anonymous_by_address[self.counted_address] <= 0:
                del _anonymous_by_address[self.counted_address]
            self.counted_address = None
        if not self.joined:
            return
        self.joined = False
        try:
            await fanout.hub().leave(self.key, self)
            self._schedule_presence()
            await database_sync_to_async(services.leave_stream)(channel_name=self.channel_name)
        except Exception:  # presence rows of dead connections stop counting after their TTL
            logger.exception("releasing stream connection %s failed", self.channel_name)

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
                _("A message can be at most %(limit)d KB long.") % {"limit": MESSAGE_LIMIT_KB},
            )
            return
        try:
            message = jsontext.loads(text_data)
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
            if not isinstance(after, int) or as_number(after) is None:
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
            spawn(self._catch_up(marked=True))
            return
        self.last_seq = seq
        spawn(self.send(text_data=text))

    def deliver_heartbeat(self, latest: int) -> None:
        """The stream's latest stored number, every heartbeat (fanout.py): a
        reader behind it missed live events (a lost subscription) and catches
        up from the log; the frame also tells the browser the line is alive."""
        if self.catching_up:
            return
        if latest > self.last_seq:
            self.catching_up = True
            spawn(self._catch_up(marked=True))
        spawn(self.send(text_data=events.frame(type=events.HEARTBEAT, seq=latest, at="", data={})))

    def deliver_presence(self, count: int) -> None:
        frame = events.frame(type=events.PRESENCE, seq=self.last_seq, at="", data={"count": count})
        spawn(self.send(text_data=frame))

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
        spawn(_broadcast_presence(layer, key))

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
            spawn(self.error("throttled", _("Too many frames: slow down; some were ignored.")))
        return False

    def _after_from_query(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        return as_number((query.get("after") or [""])[0])

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
