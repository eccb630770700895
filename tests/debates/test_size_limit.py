"""The debate's 10 KB limit says the same thing wherever it is caught: by the
service, and on the websocket whether the frame could be read (too_long) or
was too large to be read at all (too_large)."""

import json

import pytest
from asgiref.sync import async_to_sync

from debates.models import Argument
from debates.services import too_long_message
from tests.realtime.helpers import open_socket, receive_until, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_message_too_long_and_a_frame_too_large_get_the_same_words(community, proposal):
    cookie = session_cookie(community["bob"])

    async def scenario():
        socket, *_ = await open_socket(f"/ws/proposals/{proposal.pk}/", cookie=cookie)
        await receive_until(socket, "stream.welcome")
        await socket.send_json_to(
            {"type": "post", "ref": "a", "stance": "pro", "body": "y" * 10241}
        )
        too_long, _ = await receive_until(socket, "error")
        big = json.dumps({"type": "post", "ref": "b", "stance": "pro", "body": "z" * 70_000})
        await socket.send_to(text_data=big)
        too_large, _ = await receive_until(socket, "error")
        await socket.disconnect()
        return too_long, too_large

    too_long, too_large = async_to_sync(scenario)()
    assert (too_long["code"], too_long["ref"]) == ("too_long", "a")
    # Too large to be read, so it cannot name its post: the page shows it on
    # the post it is waiting for (debate.js).
    assert too_large["code"] == "too_large" and "ref" not in too_large
    assert too_long["message"] == too_large["message"] == too_long_message()
    assert not Argument.objects.exists()
