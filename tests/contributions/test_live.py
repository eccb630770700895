"""The live marketplace, through the full routed application: new needs and
standing offers reach every open page, a reconnecting page catches up by
sequence number, and an offer made from the page comes back as an ack or an
error frame with its code."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from contributions import services
from contributions.broadcasts import NEED_CHANGED, NEED_POSTED, marketplace_key
from contributions.models import Offer
from tests.contributions.factories import NeedFactory
from tests.contributions.helpers import window
from tests.realtime.helpers import captured_broadcasts, open_socket, receive_until, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)
PATH = "/ws/contributions/marketplace/"


def run(scenario):
    return async_to_sync(scenario)()


def test_a_posted_need_is_stored_then_broadcast_to_the_marketplace(people):
    with captured_broadcasts(marketplace_key()) as captured:
        need = NeedFactory(posted_by=people["alice"], title="Soup kitchen", skills=["Cooking"])
    [message] = captured.frames()
    assert NEED_POSTED in message["text"] and "Soup kitchen" in message["text"]
    assert need.pk


def test_a_reader_sees_a_new_need_live_and_catches_up_after_a_reconnect(people):
    async def scenario():
        reader, connected, _code = await open_socket(PATH)
        assert connected
        welcome, _ = await receive_until(reader, "stream.welcome")
        await database_sync_to_async(services.post_need)(
            actor=people["alice"],
            title="Crèche helpers",
            description="Wednesdays.",
            estimated_minutes=180,
            place="Crèche",
            **window(),
        )
        event, _ = await receive_until(reader, NEED_POSTED)
        assert event["data"]["title"] == "Crèche helpers"
        assert event["seq"] == welcome["seq"] + 1
        await reader.disconnect()
        await database_sync_to_async(services.post_standing_offer)(
            actor=people["ada"], title="Bookkeeping", availability="4 hours a month"
        )
        later, *_ = await open_socket(f"{PATH}?after={event['seq']}")
        missed, _ = await receive_until(later, "contributions.standing_offer_posted")
        assert missed["data"]["title"] == "Bookkeeping"
        await later.disconnect()

    run(scenario)


def test_an_offer_from_the_page_is_acknowledged_and_announced(people):
    need = NeedFactory(posted_by=people["alice"])
    cookie = session_cookie(people["dave"])

    async def scenario():
        socket, *_ = await open_socket(PATH, cookie=cookie)
        await receive_until(socket, "stream.welcome")
        await socket.send_json_to(
            {"type": "offer", "ref": "o1", "need": need.pk, "message": "Saturday"}
        )
        frames = {}
        while len(frames) < 2:  # the event may arrive before or after the ack
            frame = await socket.receive_json_from(timeout=3)
            if frame["type"] in ("ack", NEED_CHANGED):
                frames[frame["type"]] = frame
        assert frames["ack"]["ref"] == "o1"
        offer = await database_sync_to_async(Offer.objects.get)(pk=frames["ack"]["offer"])
        assert offer.member_id == people["dave"].pk and offer.message == "Saturday"
        assert frames[NEED_CHANGED]["data"]["id"] == need.pk
        await socket.disconnect()

    run(scenario)


def test_a_refused_offer_comes_back_as_an_error_frame_with_its_code(people):
    need = NeedFactory(posted_by=people["alice"])
    own = session_cookie(people["alice"])

    async def scenario():
        socket, *_ = await open_socket(PATH, cookie=own)
        await receive_until(socket, "stream.welcome")
        await socket.send_json_to({"type": "offer", "ref": 1, "need": need.pk})
        error, _ = await receive_until(socket, "error")
        assert (error["code"], error["ref"]) == ("own_need", 1)
        await socket.send_json_to({"type": "offer", "ref": 2, "need": "one"})
        error, _ = await receive_until(socket, "error")
        assert error["code"] == "invalid_frame"
        await socket.disconnect()
        visitor, *_ = await open_socket(PATH)
        await receive_until(visitor, "stream.welcome")
        await visitor.send_json_to({"type": "offer", "ref": 3, "need": need.pk})
        error, _ = await receive_until(visitor, "error")
        assert error["code"] == "not_authenticated"
        await visitor.disconnect()

    run(scenario)
    assert not Offer.objects.exists()
