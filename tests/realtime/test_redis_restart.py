"""Redis restarts and forgets every subscription; nothing is lost.

Two Daphne processes share a Redis of the test's own. Readers on one follow a
debate; a member posts through the other. Redis is killed and started again
(empty, as after a crash) in the middle. Every event posted, before, during
and after, reaches every reader in order, without reconnecting or reloading:
the servers renew their subscriptions at each heartbeat and readers behind
the stream catch up from the stored log (realtime/fanout.py)."""

import asyncio
import json

import pytest

from tests.realtime.helpers import session_cookie
from tests.realtime.test_live import next_of, open_ws

pytestmark = [
    pytest.mark.redis,
    pytest.mark.live_server_process,
    pytest.mark.django_db(transaction=True),
]

READERS = 3
BEFORE, AFTER = 3, 3


def test_every_event_reaches_every_reader_across_a_redis_restart(
    private_redis, daphne_factory, community, proposal
):
    env = {"REDIS_URL": private_redis.url, "REALTIME_HEARTBEAT_SECONDS": "1"}
    one = daphne_factory(extra_env=env)
    two = daphne_factory(extra_env=env)
    cookie = session_cookie(community["bob"])

    async def read_posts(ws, count):
        seen = []
        while len(seen) < count:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 20))
            if frame["type"] == "debate.argument_posted":
                seen.append((frame["seq"], frame["data"]["html"]))
        return seen

    async def scenario():
        readers = [await open_ws(two, proposal).__aenter__() for _ in range(READERS)]
        for reader in readers:
            await next_of(reader, "stream.welcome")
        collecting = [asyncio.create_task(read_posts(reader, BEFORE + AFTER)) for reader in readers]
        async with open_ws(one, proposal, cookie=cookie) as poster:
            await next_of(poster, "stream.welcome")
            for n in range(BEFORE):
                await poster.send(json.dumps({"type": "post", "stance": "pro", "body": f"b{n}"}))
                await next_of(poster, "ack")
            await asyncio.to_thread(private_redis.restart)
            for n in range(AFTER):
                await poster.send(json.dumps({"type": "post", "stance": "pro", "body": f"a{n}"}))
                await next_of(poster, "ack", timeout=20)
        delivered = await asyncio.gather(*collecting)
        for reader in readers:
            await reader.close()
        return delivered

    delivered = asyncio.run(scenario())
    sent = [f"<p>b{n}</p>" for n in range(BEFORE)] + [f"<p>a{n}</p>" for n in range(AFTER)]
    for seen in delivered:
        assert [html for _seq, html in seen] == sent  # delivered ÷ sent = 1.0, in order
        seqs = [seq for seq, _html in seen]
        assert seqs == list(range(seqs[0], seqs[0] + len(sent)))
