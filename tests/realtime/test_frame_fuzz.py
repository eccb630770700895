"""Whatever a client sends, the connection answers with a frame and stays
usable: no input crashes the socket (close 1011) or leaks its accounting."""

import json

import pytest
from asgiref.sync import async_to_sync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime import consumers
from realtime.models import Presence
from tests.realtime.helpers import open_socket, receive_until, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

HUGE = 10**30
HOSTILE = [
    "[" * 3000,
    "{" * 3000,
    '{"type": "ping", "x": ' + "[" * 2000 + "]" * 2000 + "}",
    '{"type": "post", "stance": "pro", "body": ' + '"' + "x" * 200 + '"' + "}",
    '{"type": "catch_up", "after": 1e999}',
    '{"type": "catch_up", "after": -1}',
    '{"type": "catch_up", "after": 99999999999999999999999}',
    '{"type": "edit", "argument": 99999999999999999999999, "body": "x"}',
    '{"type": "flag", "argument": true}',
    '{"type": "hide", "argument": 1.5, "reason": "x"}',
    '{"type": "post", "stance": "pro", "body": "x", "parent": 99999999999999999999999}',
    '{"type": "post", "stance": ["pro"], "body": {"a": 1}}',
    '{"type": "post", "stance": "pro", "body": "x", "parent": "1; DROP TABLE x"}',
    '{"type": 12}',
    '{"type": "unknown"}',
    "1" * 5000,
    "null",
    '"just a string"',
    "\ud800",
    " ",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
frames = st.fixed_dictionaries(
    {"type": st.sampled_from(["post", "edit", "flag", "hide", "restore", "catch_up", "ping"])},
    optional={
        "argument": json_values | st.integers(min_value=-HUGE, max_value=HUGE),
        "parent": json_values | st.integers(min_value=-HUGE, max_value=HUGE),
        "after": json_values | st.integers(min_value=-HUGE, max_value=HUGE),
        "body": json_values,
        "stance": json_values,
        "reason": json_values,
        "ref": json_values,
    },
)


def survives(cookie, proposal, texts) -> list[str]:
    """Send each text, expect an answer to each, then a pong: the socket lives."""

    async def scenario():
        socket, connected, _ = await open_socket(f"/ws/proposals/{proposal.pk}/", cookie=cookie)
        assert connected
        await receive_until(socket, "stream.welcome")
        answers = []
        for text in texts:
            await socket.send_to(text_data=text)
            await socket.send_json_to({"type": "ping"})
            frame, seen = await receive_until(socket, "pong")
            answers.extend(f["type"] for f in seen)
            assert frame["type"] == "pong"
        await socket.disconnect()
        return answers

    return async_to_sync(scenario)()


@pytest.fixture(autouse=True)
def no_flood_limit(monkeypatch):
    # The fuzz sends far faster than a person; the flood throttle has its own tests.
    monkeypatch.setattr(consumers, "FRAMES_PER_SECOND", 10_000.0)
    monkeypatch.setattr(consumers, "FRAME_BURST", 10_000.0)


def test_hostile_frames_get_answers_and_the_socket_lives(community, proposal):
    answers = survives(session_cookie(community["bob"]), proposal, HOSTILE)
    assert "server_error" not in json.dumps(answers)
    assert not Presence.objects.exists()  # released on close


def test_hostile_frames_from_visitors_too(proposal):
    survives(None, proposal, HOSTILE)
    assert not Presence.objects.exists()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(frames, min_size=1, max_size=5))
def test_any_frame_gets_an_answer(community, proposal, batch):
    survives(session_cookie(community["carol"]), proposal, [json.dumps(f) for f in batch])


@pytest.mark.parametrize("after", ["²", "1e5", "-1", "99999999999999999999999", "١٢"])
def test_any_after_in_the_address_is_read_or_ignored(proposal, after):
    async def scenario():
        socket, connected, _ = await open_socket(f"/ws/proposals/{proposal.pk}/?after={after}")
        assert connected
        welcome, _ = await receive_until(socket, "stream.welcome")
        await socket.disconnect()
        return welcome

    assert async_to_sync(scenario)()["type"] == "stream.welcome"
