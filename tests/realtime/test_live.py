"""Against a real Daphne process, with `websockets` clients."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from debates import services
from debates.models import Argument
from tests.realtime.helpers import session_cookie

pytestmark = [pytest.mark.live_server_process, pytest.mark.django_db(transaction=True)]


def socket_url(server, proposal, after=None):
    query = "" if after is None else f"?after={after}"
    return f"{server.ws_url}/ws/proposals/{proposal.pk}/{query}"


def open_ws(server, proposal, *, cookie=None, after=None, origin=None):
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    return connect(
        socket_url(server, proposal, after),
        origin=origin or server.url,
        additional_headers=headers,
        max_size=2**22,
        open_timeout=10,
    )


async def next_of(ws, frame_type, timeout=5):
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if frame["type"] == frame_type:
            return frame


def test_post_through_daphne_reaches_another_client(daphne_server, community, proposal):
    cookie = session_cookie(community["bob"])

    async def scenario():
        async with open_ws(daphne_server, proposal) as reader:
            await next_of(reader, "stream.welcome")
            async with open_ws(daphne_server, proposal, cookie=cookie) as poster:
                await next_of(poster, "stream.welcome")
                await poster.send(json.dumps({"type": "post", "stance": "pro", "body": "Live!"}))
                await next_of(poster, "ack")
            event = await next_of(reader, "debate.argument_posted")
            return event

    event = asyncio.run(scenario())
    assert event["data"]["html"] == "<p>Live!</p>"
    assert event["data"]["author"] == "bob"


def test_wrong_origin_is_refused_by_daphne(daphne_server, proposal):
    from websockets.exceptions import InvalidStatus

    async def scenario():
        async with open_ws(daphne_server, proposal, origin="http://evil.example"):
            pass

    with pytest.raises(InvalidStatus) as refused:
        asyncio.run(scenario())
    assert refused.value.response.status_code == 403


def test_an_oversized_frame_below_daphnes_limit_gets_an_error_frame(
    daphne_server, community, proposal
):
    cookie = session_cookie(community["bob"])

    async def scenario():
        async with open_ws(daphne_server, proposal, cookie=cookie) as ws:
            await next_of(ws, "stream.welcome")
            await ws.send(json.dumps({"type": "post", "stance": "pro", "body": "x" * 2**19}))
            error = await next_of(ws, "error")
            await ws.send(json.dumps({"type": "ping"}))
            await next_of(ws, "pong")
            return error

    assert asyncio.run(scenario())["code"] == "too_large"
    assert not Argument.objects.exists()


def test_a_one_megabyte_frame_is_cut_off_by_daphne_and_the_server_carries_on(
    daphne_server, community, proposal
):
    """Daphne (autobahn) refuses messages over 1 MiB before the consumer sees
    them: it drops that connection. Other connections and the server go on."""
    cookie = session_cookie(community["bob"])

    async def scenario():
        async with open_ws(daphne_server, proposal) as bystander:
            await next_of(bystander, "stream.welcome")
            async with open_ws(daphne_server, proposal, cookie=cookie) as ws:
                await next_of(ws, "stream.welcome")
                payload = json.dumps({"type": "post", "stance": "pro", "body": "x" * 2**20})
                with pytest.raises(ConnectionClosed):
                    await ws.send(payload)
                    await next_of(ws, "error")
            async with open_ws(daphne_server, proposal, cookie=cookie) as again:
                await next_of(again, "stream.welcome")
                await again.send(json.dumps({"type": "post", "stance": "pro", "body": "ok"}))
                await next_of(again, "ack")
            return await next_of(bystander, "debate.argument_posted")

    event = asyncio.run(scenario())
    assert event["data"]["html"] == "<p>ok</p>"
    assert Argument.objects.get().body == "ok"


def test_nothing_is_lost_across_a_server_restart(daphne_factory, community, proposal):
    first = daphne_factory()
    cookie = session_cookie(community["bob"])

    async def before_restart():
        async with open_ws(first, proposal, cookie=cookie) as ws:
            await next_of(ws, "stream.welcome")
            await ws.send(json.dumps({"type": "post", "stance": "pro", "body": "before"}))
            event = await next_of(ws, "debate.argument_posted")
            return event["seq"]

    last_seen = asyncio.run(before_restart())
    first.stop()
    # While the client is away, the debate moves on (e.g. through another server).
    services.post_argument(
        actor=community["ada"], proposal_id=proposal.pk, body="while away", stance="contra"
    )
    second = daphne_factory()

    async def after_restart():
        async with open_ws(second, proposal, after=last_seen) as ws:
            await next_of(ws, "stream.welcome")
            return await next_of(ws, "debate.argument_posted")

    missed = asyncio.run(after_restart())
    assert missed["seq"] == last_seen + 1
    assert missed["data"]["html"] == "<p>while away</p>"
