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
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from channels.layers import get_channel_layer

from realtime.events import LAYER_EVENT, LAYER_PRESENCE, group_name

logger = logging.getLogger(__name__)

# Sent by a process to its own room channel when the room's last reader left.
ROOM_CLOSED = "stream.room_closed"

# Group memberships expire in the channel layers (a day by default); renew well before.
RENEW_EVERY = 3600.0


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

    async def join(self, key: str, consumer) -> None:
        room = self.rooms.get(key)
        if room is None:
            room = self.rooms[key] = Room(key)
            room.task = asyncio.get_running_loop().create_task(self._pump(room))
        room.consumers.add(consumer)
        await room.ready.wait()

    async def leave(self, key: str, consumer) -> None:
        room = self.rooms.get(key)
        if room is None:
            return
        room.consumers.discard(consumer)
        if room.consumers:
            return
        del self.rooms[key]
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
        loop = asyncio.get_running_loop()
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
        renewed_at = loop.time()
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
            if loop.time() - renewed_at > RENEW_EVERY:
                renewed_at = loop.time()
                await layer.group_add(group, room.channel)

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
