"""Websockets when a backing service is away (docs/reliability.md).

- The database away: a connection cannot be set up; it gets an error frame
  `unavailable` and the close 4503 ("try again later"), which the debate
  page answers by reconnecting with backoff. (It was meant to be 1013, which
  Daphne's websocket library refuses to send: the socket stayed open.)
- Redis away when a reader joins: the connection is set up from the stored
  log, and live events still arrive, one heartbeat late: heartbeats read the
  database, and a reader behind the stream catches up by itself."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from debates import services
from tests.realtime.test_live import next_of, open_ws
from tests.servers import free_port

pytestmark = [pytest.mark.live_server_process, pytest.mark.django_db(transaction=True)]


def test_without_the_database_a_socket_is_closed_with_try_again_later(daphne_factory):
    nowhere = f"postgres://commons:commons@127.0.0.1:{free_port()}/commons"
    server = daphne_factory(extra_env={"DATABASE_URL": nowhere, "GOVERNANCE_TICK_SECONDS": "0"})

    async def scenario():
        frames = []
        async with connect(
            f"{server.ws_url}/ws/proposals/1/", origin=server.url, open_timeout=10
        ) as socket:
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    frames.append(json.loads(await asyncio.wait_for(socket.recv(), 15)))
        return frames, closed.value.rcvd

    frames, close = asyncio.run(scenario())
    assert [frame["type"] for frame in frames] == ["error"], frames
    assert frames[0]["code"] == "unavailable"
    assert close is not None and close.code == 4503


def test_without_redis_live_events_arrive_a_heartbeat_late(daphne_factory, community, proposal):
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    server = daphne_factory(extra_env={"REDIS_URL": nobody, "REALTIME_HEARTBEAT_SECONDS": "1"})

    def post():
        try:
            services.post_argument(
                actor=community["bob"],
                proposal_id=proposal.pk,
                body="Posted while Redis was away.",
                stance="pro",
            )
        finally:
            # Its own thread's connection: left open, it would keep the test
            # database from being dropped at the end of the run.
            connection.close()

    async def scenario():
        async with open_ws(server, proposal) as reader:
            welcome = await next_of(reader, "stream.welcome")
            # Posted by another server, say: it reaches this one only through
            # the database, since no channel layer carries it.
            await sync_to_async(post)()
            return welcome, await next_of(reader, "debate.argument_posted", timeout=10)

    welcome, event = asyncio.run(scenario())
    assert event["seq"] == welcome["seq"] + 1
    assert "Posted while Redis was away." in event["data"]["html"]
