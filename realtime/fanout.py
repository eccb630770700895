"""One channel-layer subscription per stream and server process.

A broadcast through the channel layer costs one delivery per subscribed
channel; with a thousand readers of one stream that is a thousand deliveries
(and, with the in-memory layer, quadratic bookkeeping). Instead, each server
process subscribes one channel of its own to a stream's group while at least
one local reader is connected, and hands every message to its local
consumers itself. With Redis, a broadcast then costs one delivery per
server, whatever the audience.

Delivery stays at-most-once: consumers detect gaps by sequence number and
fill them from the stored log.

A subscription can be lost without any error: when Redis restarts, it forgets
every group membership, and the pump's blocking read just reconnects to an
empty group. So a watcher renews each room's membership every heartbeat, and
tells each local reader the stream's latest stored number: a reader that is
behind (events published while the subscription was gone) catches up from
the log by itself, and browsers that hear no heartbeat reconnect. Nothing is
lost across a Redis restart, and no page has to be reloaded.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from realtime import selectors
from realtime.events import LAYER_EVENT, LAYER_PRESENCE, group_name

logger = logging.getLogger(__name__)

# Sent by a process to its own room channel when the room's last reader left.
ROOM_CLOSED = "stream.room_closed"


def heartbeat_seconds() -> float:
    """How often rooms renew their subscription and readers hear the stream's
    latest number (also renews memberships before channel layers expire them)."""
    return float(getattr(settings, "REALTIME_HEARTBEAT_SECONDS", 15))


class Room:
    def __init__(self, key: str):
        self.key = key
        self.consumers: set = set()
        self.channel: str | None = None
        self.task: asyncio.Task | None = None
        self.ready = asyncio.Event()


class Hub:
    """The rooms of one event loop (one per Daphne process)."""

    def __init__(self):
        self.rooms: dict[str, Room] = {}
        self.watcher: asyncio.Task | None = None

    async def join(self, key: str, consumer) -> None:
        room = self.rooms.get(key)
        if room is None:
            room = self.rooms[key] = Room(key)
            room.task = asyncio.get_running_loop().create_task(self._pump(room))
        room.consumers.add(consumer)
        if self.watcher is None or self.watcher.done():
            self.watcher = asyncio.get_running_loop().create_task(self._watch())
        await room.ready.wait()

    async def leave(self, key: str, consumer) -> None:
        room = self.rooms.get(key)
        if room is None:
            return
        room.consumers.discard(consumer)
        if room.consumers:
            return
        del self.rooms[key]
        if not self.rooms and self.watcher is not None:
            # Nobody left to watch for: nothing keeps running for an idle process.
            self.watcher.cancel()
            self.watcher = None
        if room.channel is None:  # still subscribing: no blocking read to interrupt
            if room.task is not None:
                room.task.cancel()
            return
        # The pump is blocked reading its channel. Cancelling a blocking Redis
        # read can be swallowed by redis-py (redis/redis-py#2028) and leave the
        # task running forever, so the pump is told to stop by a message instead.
        layer = get_channel_layer()
        try:
            await layer.group_discard(group_name(key), room.channel)
            await layer.send(room.channel, {"type": ROOM_CLOSED})
        except Exception:  # the membership expires on its own; stop the pump the hard way
            logger.warning("could not leave the group of stream %s", key)
            if room.task is not None:
                room.task.cancel()

    async def _pump(self, room: Room) -> None:
        layer = get_channel_layer()
        group = group_name(room.key)
        while room.channel is None:
            try:
                # The default prefix: channels_redis reads all of a process's channels in one loop.
                channel = await layer.new_channel()
                await layer.group_add(group, channel)
                room.channel = channel
            except asyncio.CancelledError:
                raise
            except Exception:  # readers still get the stored log; live events wait
                logger.exception("subscribing to stream %s failed", room.key)
                room.ready.set()
                await asyncio.sleep(1)
        room.ready.set()
        while True:
            try:
                message = await layer.receive(room.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # e.g. Redis unavailable: retry; clients fill gaps later
                logger.exception("receiving for stream %s failed", room.key)
                await asyncio.sleep(1)
                continue
            if message.get("type") == ROOM_CLOSED:
                return
            self._dispatch(room, message)

    async def _watch(self) -> None:
        """Every heartbeat: renew each room's subscription (restoring it if
        Redis forgot it) and tell every reader the stream's latest number."""
        layer = get_channel_layer()
        while self.rooms:
            await asyncio.sleep(heartbeat_seconds())
            rooms = list(self.rooms.values())
            for room in rooms:
                if room.channel is None:  # its pump is still trying to subscribe
                    continue
                try:
                    await layer.group_add(group_name(room.key), room.channel)
                except Exception:  # Redis still away: the next heartbeat retries
                    logger.warning("renewing the subscription to stream %s failed", room.key)
            # Every room hears the heartbeat, subscribed or not: it reads the
            # database, not Redis, so readers of a stream whose subscription
            # failed (Redis away when they joined) still learn they are behind
            # and catch up from the stored log, heartbeat by heartbeat.
            try:
                latest = await database_sync_to_async(selectors.last_seqs)(
                    [room.key for room in rooms]
                )
            except Exception:  # the database away: readers keep what they have
                logger.warning("reading the streams' latest numbers failed")
                continue
            for room in rooms:
                for consumer in list(room.consumers):
                    try:
                        consumer.deliver_heartbeat(latest.get(room.key, 0))
                    except Exception:
                        logger.exception("heartbeat to %s failed", consumer.channel_name)

    @staticmethod
    def _dispatch(room: Room, message: dict) -> None:
        kind = message.get("type")
        for consumer in list(room.consumers):
            try:
                if kind == LAYER_EVENT:
                    consumer.deliver_event(message["seq"], message["text"])
                elif kind == LAYER_PRESENCE:
                    consumer.deliver_presence(message["count"])
            except Exception:  # one broken connection must not starve the others
                logger.exception("delivery to %s failed", consumer.channel_name)


_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The hub of the running event loop."""
    loop = asyncio.get_running_loop()
    current = _hubs.get(loop)
    if current is None:
        current = _hubs[loop] = Hub()
    return current
