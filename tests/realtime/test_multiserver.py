"""Two Daphne processes sharing debates through Redis (channels_redis)."""

import asyncio
import json
import time

import pytest

from proposals.broadcasts import stream_of
from realtime.services import presence_count
from tests.realtime.helpers import session_cookie
from tests.realtime.test_live import next_of, open_ws

pytestmark = [
    pytest.mark.redis,
    pytest.mark.live_server_process,
    pytest.mark.django_db(transaction=True),
]


def test_argument_posted_on_one_server_reaches_a_client_on_the_other(
    redis_url, daphne_factory, community, proposal
):
    one = daphne_factory(extra_env={"REDIS_URL": redis_url})
    two = daphne_factory(extra_env={"REDIS_URL": redis_url})
    cookie = session_cookie(community["bob"])

    async def scenario():
        async with open_ws(two, proposal) as reader:
            await next_of(reader, "stream.welcome")
            async with open_ws(one, proposal, cookie=cookie) as poster:
                await next_of(poster, "stream.welcome")
                await poster.send(
                    json.dumps({"type": "post", "stance": "contra", "body": "Via server one"})
                )
                await next_of(poster, "ack")
            return await next_of(reader, "debate.argument_posted")

    event = asyncio.run(scenario())
    assert event["data"]["html"] == "<p>Via server one</p>"
    assert event["data"]["stance"] == "contra"


def test_client_switching_servers_catches_up(redis_url, daphne_factory, community, proposal):
    one = daphne_factory(extra_env={"REDIS_URL": redis_url})
    two = daphne_factory(extra_env={"REDIS_URL": redis_url})
    bob, ada = session_cookie(community["bob"]), session_cookie(community["ada"])

    async def scenario():
        async with open_ws(one, proposal, cookie=bob) as first:
            await next_of(first, "stream.welcome")
            await first.send(json.dumps({"type": "post", "stance": "pro", "body": "one"}))
            last_seen = (await next_of(first, "debate.argument_posted"))["seq"]
        # Away from the debate: two messages are posted through the other server.
        async with open_ws(two, proposal, cookie=ada) as other:
            await next_of(other, "stream.welcome")
            for body in ("two", "three"):
                await other.send(json.dumps({"type": "post", "stance": "contra", "body": body}))
                await next_of(other, "ack")
        # The client comes back through server two with the last number it saw.
        async with open_ws(two, proposal, cookie=bob, after=last_seen) as back:
            await next_of(back, "stream.welcome")
            missed = [await next_of(back, "debate.argument_posted") for _ in range(2)]
            # ...and keeps receiving live events posted through server one.
            async with open_ws(one, proposal, cookie=ada) as poster:
                await next_of(poster, "stream.welcome")
                await poster.send(json.dumps({"type": "post", "stance": "pro", "body": "four"}))
                await next_of(poster, "ack")
            live = await next_of(back, "debate.argument_posted")
        return last_seen, missed, live

    last_seen, missed, live = asyncio.run(scenario())
    assert [m["seq"] for m in missed] == [last_seen + 1, last_seen + 2]
    assert [m["data"]["html"] for m in missed] == ["<p>two</p>", "<p>three</p>"]
    assert live["seq"] == last_seen + 3
    # Each server forgets its closed connections (shortly after they close).
    deadline = time.monotonic() + 5
    while presence_count(key=stream_of(proposal.pk)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert presence_count(key=stream_of(proposal.pk)) == 0
