"""The websocket protocol, through the full routed application (origin check,
session authentication, URL routing) with WebsocketCommunicator."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from debates import services
from debates.models import Argument
from realtime.models import Presence
from tests.debates.helpers import due_for_voting
from tests.realtime.helpers import open_socket, receive_until, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def run(scenario):
    return async_to_sync(scenario)()


def path(proposal):
    return f"/ws/proposals/{proposal.pk}/"


def test_anyone_can_connect_and_is_welcomed_with_the_last_sequence(community, proposal):
    services.post_argument(actor=community["bob"], proposal_id=proposal.pk, body="x", stance="pro")

    async def scenario():
        socket, connected, _code = await open_socket(path(proposal))
        assert connected
        welcome = await socket.receive_json_from(timeout=3)
        assert welcome["type"] == "stream.welcome"
        assert welcome["seq"] == 2  # the proposal's submission, then the argument
        assert welcome["data"]["is_member"] is False
        await socket.disconnect()

    run(scenario)


def test_member_post_is_stored_acknowledged_and_broadcast(community, proposal):
    bob, ada = session_cookie(community["bob"]), session_cookie(community["ada"])

    async def scenario():
        poster, *_ = await open_socket(path(proposal), cookie=bob)
        reader, *_ = await open_socket(path(proposal), cookie=ada)
        await receive_until(poster, "stream.welcome")
        await receive_until(reader, "stream.welcome")
        await poster.send_json_to(
            {"type": "post", "ref": "r1", "stance": "contra", "body": "Too *expensive*"}
        )
        ack, _ = await receive_until(poster, "ack")
        assert ack["ref"] == "r1"
        stored = await database_sync_to_async(Argument.objects.get)(pk=ack["argument"])
        assert stored.body == "Too *expensive*"
        event, _ = await receive_until(reader, "debate.argument_posted")
        assert event["seq"] == 2  # after the proposal's submission
        assert event["data"]["html"] == "<p>Too <em>expensive</em></p>"
        assert event["data"]["stance"] == "contra"
        await poster.disconnect()
        await reader.disconnect()

    run(scenario)


def test_anonymous_post_gets_an_error_frame_and_stays_connected(proposal):
    async def scenario():
        socket, *_ = await open_socket(path(proposal))
        await receive_until(socket, "stream.welcome")
        await socket.send_json_to({"type": "post", "ref": 7, "stance": "pro", "body": "hi"})
        error, _ = await receive_until(socket, "error")
        assert error["code"] == "not_authenticated"
        assert error["ref"] == 7
        await socket.send_json_to({"type": "ping"})
        pong, _ = await receive_until(socket, "pong")
        assert pong["type"] == "pong"
        await socket.disconnect()

    run(scenario)
    assert not Argument.objects.exists()


def test_non_member_post_gets_an_error_frame_and_stays_connected(outsider, proposal):
    cookie = session_cookie(outsider)

    async def scenario():
        socket, *_ = await open_socket(path(proposal), cookie=cookie)
        await receive_until(socket, "stream.welcome")
        await socket.send_json_to({"type": "post", "stance": "pro", "body": "let me in"})
        error, _ = await receive_until(socket, "error")
        assert error["code"] == "not_member"
        await socket.send_json_to({"type": "ping"})
        await receive_until(socket, "pong")
        await socket.disconnect()

    run(scenario)
    assert not Argument.objects.exists()


def test_wrong_origin_is_refused(proposal):
    async def scenario():
        _socket, connected, _code = await open_socket(
            path(proposal), origin="https://evil.example.com"
        )
        assert not connected

    run(scenario)


def test_missing_origin_is_refused(proposal):
    async def scenario():
        _socket, connected, _code = await open_socket(path(proposal), origin=None)
        assert not connected

    run(scenario)


def test_unknown_proposal_gets_an_error_frame_and_a_closing_code(db):
    async def scenario():
        socket, connected, _ = await open_socket("/ws/proposals/424242/")
        assert connected
        error = await socket.receive_json_from(timeout=3)
        assert error["code"] == "not_found"
        closed = await socket.receive_output(timeout=3)
        assert closed == {"type": "websocket.close", "code": 4404}

    run(scenario)


def test_invalid_json_and_binary_frames_get_error_frames(community, proposal):
    cookie = session_cookie(community["bob"])

    async def scenario():
        socket, *_ = await open_socket(path(proposal), cookie=cookie)
        await receive_until(socket, "stream.welcome")
        await socket.send_to(text_data="{not json")
        error, _ = await receive_until(socket, "error")
        assert error["code"] == "invalid_json"
        await socket.send_to(text_data="[1, 2]")
        error, _ = await receive_until(socket, "error")
        assert error["code"] == "invalid_frame"
        await socket.send_to(bytes_data=b"\x00\x01")
        error, _ = await receive_until(socket, "error")
        assert error["code"] == "invalid_frame"
        await socket.send_json_to({"type": "launch_rockets"})
        error, _ = await receive_until(socket, "error")
        assert error["code"] == "unknown_type"
        await socket.send_json_to({"type": "post", "stance": "pro", "body": "still works"})
        await receive_until(socket, "ack")
        await socket.disconnect()

    run(scenario)
    assert Argument.objects.get().body == "still works"


def test_a_one_megabyte_frame_gets_an_error_frame(community, proposal):
    cookie = session_cookie(community["bob"])

    async def scenario():
        socket, *_ = await open_socket(path(proposal), cookie=cookie)
        await receive_until(socket, "stream.welcome")
        body = "x" * (1024 * 1024)
        await socket.send_to(text_data=json.dumps({"type": "post", "stance": "pro", "body": body}))
        error, _ = await receive_until(socket, "error")
        assert error["code"] == "too_large"
        await socket.send_json_to({"type": "post", "stance": "pro", "body": "y" * 10241})
        error, _ = await receive_until(socket, "error")
        assert error["code"] == "too_long"
        await socket.disconnect()

    run(scenario)
    assert not Argument.objects.exists()


def test_script_tags_and_javascript_links_arrive_inert(community, proposal):
    cookie = session_cookie(community["bob"])

    async def scenario():
        socket, *_ = await open_socket(path(proposal), cookie=cookie)
        await receive_until(socket, "stream.welcome")
        body = "<script>alert(1)</script> [x](javascript:alert(2)) <a href='javascript:3'>y</a>"
        await socket.send_json_to({"type": "post", "stance": "pro", "body": body})
        event, _ = await receive_until(socket, "debate.argument_posted")
        assert "<script" not in event["data"]["html"]
        assert "<a " not in event["data"]["html"]
        await socket.disconnect()

    run(scenario)


def test_reconnecting_client_receives_everything_after_its_last_number(community, proposal):
    for number in range(3):
        services.post_argument(
            actor=community["bob"], proposal_id=proposal.pk, body=f"n{number}", stance="pro"
        )
    argument = Argument.objects.first()
    services.hide_argument(actor=community["carol"], argument_id=argument.pk, reason="Spam")
    # Seq 1 is the proposal's submission, 2 to 4 the arguments, 5 the hiding.

    async def scenario():
        socket, *_ = await open_socket(path(proposal) + "?after=2")
        frames = [await socket.receive_json_from(timeout=3) for _ in range(4)]
        assert frames[0]["type"] == "stream.welcome"
        assert [(f["seq"], f["type"]) for f in frames[1:]] == [
            (3, "debate.argument_posted"),
            (4, "debate.argument_posted"),
            (5, "debate.argument_hidden"),
        ]
        assert frames[3]["data"]["hidden_reason"] == "Spam"
        # Asking again from an earlier number replays from there.
        await socket.send_json_to({"type": "catch_up", "after": 4})
        again = await socket.receive_json_from(timeout=3)
        assert (again["seq"], again["type"]) == (5, "debate.argument_hidden")
        await socket.disconnect()

    run(scenario)


def test_state_and_tally_events_reach_connected_clients(community):
    proposal = due_for_voting(community["alice"])

    async def scenario():
        socket, *_ = await open_socket(path(proposal))
        await receive_until(socket, "stream.welcome")

        @database_sync_to_async
        def open_vote():
            from proposals.services import advance_proposal, cast_vote

            advance_proposal(proposal_id=proposal.pk)  # the discussion is over: voting opens
            cast_vote(proposal_id=proposal.pk, voter=community["bob"], choice="yes")

        await open_vote()
        state, _ = await receive_until(socket, "proposal.state")
        assert state["data"]["state"] == "voting"
        tally, _ = await receive_until(socket, "proposal.tally")
        assert tally["data"]["yes"] == 1
        assert tally["seq"] == state["seq"] + 1
        await socket.disconnect()

    run(scenario)


def test_hidden_message_edit_by_its_author_gets_an_error_frame(community, proposal):
    argument = services.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="rude", stance="pro"
    )
    services.hide_argument(actor=community["carol"], argument_id=argument.pk, reason="Rude")
    cookie = session_cookie(community["bob"])

    async def scenario():
        socket, *_ = await open_socket(path(proposal), cookie=cookie)
        await receive_until(socket, "stream.welcome")
        await socket.send_json_to({"type": "edit", "argument": argument.pk, "body": "nice"})
        error, _ = await receive_until(socket, "error")
        assert error["code"] == "argument_hidden"
        await socket.disconnect()

    run(scenario)
    argument.refresh_from_db()
    assert argument.body == "rude"


def test_steward_hides_over_the_socket_and_readers_see_the_notice(community, proposal):
    argument = services.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="spam spam", stance="pro"
    )
    carol = session_cookie(community["carol"])

    async def scenario():
        steward, *_ = await open_socket(path(proposal), cookie=carol)
        reader, *_ = await open_socket(path(proposal))
        await receive_until(steward, "stream.welcome")
        await receive_until(reader, "stream.welcome")
        await steward.send_json_to({"type": "hide", "argument": argument.pk, "reason": "Spam"})
        await receive_until(steward, "ack")
        event, _ = await receive_until(reader, "debate.argument_hidden")
        assert event["data"]["hidden_by"] == "carol"
        assert event["data"]["hidden_reason"] == "Spam"
        assert "html" not in event["data"]
        await steward.disconnect()
        await reader.disconnect()

    run(scenario)


def test_acting_on_a_message_of_another_debate_is_refused(community, proposal):
    from tests.debates.helpers import make_proposal

    other = make_proposal(community["alice"], title="Other")
    argument = services.post_argument(
        actor=community["bob"], proposal_id=other.pk, body="elsewhere", stance="pro"
    )
    carol = session_cookie(community["carol"])

    async def scenario():
        socket, *_ = await open_socket(path(proposal), cookie=carol)
        await receive_until(socket, "stream.welcome")
        await socket.send_json_to({"type": "hide", "argument": argument.pk, "reason": "x"})
        error, _ = await receive_until(socket, "error")
        assert error["code"] == "not_found"
        await socket.disconnect()

    run(scenario)


async def welcomed_socket(proposal, **options):
    socket, *_ = await open_socket(path(proposal), **options)
    await receive_until(socket, "stream.welcome")
    return socket


async def refused_as_too_many(socket, connected):
    assert connected  # accepted, told why, then closed with a reason code
    error = await socket.receive_json_from(timeout=3)
    assert error["code"] == "too_many_connections"
    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4429}


def test_connections_per_member_are_limited(community, proposal, settings):
    settings.REALTIME_MAX_CONNECTIONS_PER_MEMBER = 2
    cookie = session_cookie(community["bob"])

    async def scenario():
        first = await welcomed_socket(proposal, cookie=cookie)
        second = await welcomed_socket(proposal, cookie=cookie)
        third, connected, _ = await open_socket(path(proposal), cookie=cookie)
        await refused_as_too_many(third, connected)
        await first.disconnect()
        fourth = await welcomed_socket(proposal, cookie=cookie)
        await second.disconnect()
        await fourth.disconnect()

    run(scenario)
    assert Presence.objects.count() == 0


def test_visitors_without_an_account_are_limited_per_address(proposal, settings):
    settings.REALTIME_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS = 2
    here, elsewhere = ("203.0.113.7", 50001), ("198.51.100.4", 50002)

    async def scenario():
        first = await welcomed_socket(proposal, client=here)
        second = await welcomed_socket(proposal, client=here)
        third, connected, _ = await open_socket(path(proposal), client=here)
        await refused_as_too_many(third, connected)
        other = await welcomed_socket(proposal, client=elsewhere)  # another address: unaffected
        await first.disconnect()
        again = await welcomed_socket(proposal, client=here)  # a closed window frees its place
        for socket in (second, other, again):
            await socket.disconnect()

    run(scenario)


def test_presence_count_is_broadcast(community, proposal):
    async def scenario():
        first, *_ = await open_socket(path(proposal))
        await receive_until(first, "stream.welcome")
        second, *_ = await open_socket(path(proposal))
        welcome, _ = await receive_until(second, "stream.welcome")
        assert welcome["data"]["presence"] == 2
        presence, _ = await receive_until(first, "stream.presence")
        assert presence["data"]["count"] == 2
        await second.disconnect()
        while True:  # coalesced updates: wait for the one after the departure
            presence, _ = await receive_until(first, "stream.presence")
            if presence["data"]["count"] == 1:
                break
        await first.disconnect()

    run(scenario)


def test_a_flood_is_throttled_and_the_connection_survives(community, proposal):
    cookie = session_cookie(community["bob"])

    async def scenario():
        socket, *_ = await open_socket(path(proposal), cookie=cookie)
        await receive_until(socket, "stream.welcome")
        for _ in range(200):
            await socket.send_json_to({"type": "ping"})
        await asyncio.sleep(1.5)  # the budget refills
        await socket.send_json_to({"type": "post", "stance": "pro", "body": "after the flood"})
        _ack, frames = await receive_until(socket, "ack")
        pongs = [f for f in frames if f["type"] == "pong"]
        throttled = [f for f in frames if f.get("code") == "throttled"]
        assert 0 < len(pongs) < 200
        assert throttled
        await socket.disconnect()

    run(scenario)
    assert Argument.objects.get().body == "after the flood"


def test_posting_faster_than_the_bylaws_allow_gets_an_error_frame(community, proposal):
    cookie = session_cookie(community["bob"])

    async def scenario():
        socket, *_ = await open_socket(path(proposal), cookie=cookie)
        await receive_until(socket, "stream.welcome")
        codes = []
        for number in range(11):
            await socket.send_json_to(
                {"type": "post", "ref": number, "stance": "pro", "body": f"point {number}"}
            )
            frame, _ = await receive_until(socket, "ack") if number < 10 else (None, None)
            if frame is None:
                error, _ = await receive_until(socket, "error")
                codes.append(error["code"])
        assert codes == ["rate_limited"]
        await socket.disconnect()

    run(scenario)
    assert Argument.objects.count() == 10


def test_a_broadcast_lost_by_the_channel_layer_is_filled_from_the_log(
    community, proposal, monkeypatch
):
    """Channel-layer delivery is at-most-once: drop one broadcast on the floor
    (as a Redis hiccup would) and the next event makes the server replay it."""
    from realtime import events

    real_group_send = events.group_send
    dropped = []

    def lossy_group_send(group, message):
        if not dropped:
            dropped.append(message["seq"])
            return
        real_group_send(group, message)

    monkeypatch.setattr(events, "group_send", lossy_group_send)

    async def scenario():
        reader, *_ = await open_socket(path(proposal))
        await receive_until(reader, "stream.welcome")
        for body in ("lost in transit", "arrives"):
            await database_sync_to_async(services.post_argument)(
                actor=community["bob"], proposal_id=proposal.pk, body=body, stance="pro"
            )
        first, _ = await receive_until(reader, "debate.argument_posted")
        second, _ = await receive_until(reader, "debate.argument_posted")
        await reader.disconnect()
        return first, second

    first, second = run(scenario)
    assert dropped == [2]  # seq 1 is the proposal's submission, before the reader came
    assert (first["seq"], first["data"]["html"]) == (2, "<p>lost in transit</p>")
    assert (second["seq"], second["data"]["html"]) == (3, "<p>arrives</p>")


def test_closed_connections_leave_no_task_behind_in_the_server(community, proposal, monkeypatch):
    """A server process keeps nothing running for a debate nobody reads, even
    when the channel layer ignores a cancelled read, as redis-py sometimes does
    with blocking reads (redis/redis-py#2028): a leftover read would pile up
    with every disconnect and keep the process from shutting down."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    real_receive = layer.receive

    async def receive_ignoring_cancellation(channel):
        while True:
            try:
                return await real_receive(channel)
            except asyncio.CancelledError:
                await asyncio.sleep(0.05)

    monkeypatch.setattr(layer, "receive", receive_ignoring_cancellation)
    cookie = session_cookie(community["bob"])

    async def scenario():
        before = asyncio.all_tasks() - {asyncio.current_task()}
        sockets = []
        for _ in range(3):
            socket, *_ = await open_socket(path(proposal), cookie=cookie)
            await receive_until(socket, "stream.welcome")
            sockets.append(socket)
        await sockets[0].send_json_to({"type": "post", "stance": "pro", "body": "one"})
        for socket in sockets:
            await receive_until(socket, "debate.argument_posted")
        for socket in sockets:
            await socket.disconnect()
        for _ in range(50):  # presence broadcasts are coalesced and end on their own
            left = asyncio.all_tasks() - before - {asyncio.current_task()}
            if not left:
                break
            await asyncio.sleep(0.1)
        for task in left:  # let the scenario end either way
            task.cancel()
        assert not left, left

    run(scenario)
