"""Helpers for realtime tests: session cookies and websocket clients talking
to the full routed ASGI application."""

from __future__ import annotations

from contextlib import contextmanager

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client


def session_cookie(member) -> str:
    client = Client()
    client.force_login(member)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def application():
    from config.asgi import application as app

    return app


async def open_socket(
    path: str, *, cookie: str | None = None, origin="http://testserver", client=None
):
    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application(), path, headers=headers)
    if client is not None:  # the (host, port) a server would see; the application has not run yet
        communicator.scope["client"] = client
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def receive_until(communicator, frame_type: str, *, timeout: float = 3):
    """Frames up to and including the first of `frame_type` (others collected)."""
    seen = []
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        seen.append(frame)
        if frame["type"] == frame_type:
            return frame, seen


class CapturedBroadcasts:
    """What was handed to the channel layer for one stream's group."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.messages: list[dict] = []

    def frames(self) -> list[dict]:
        return list(self.messages)


@contextmanager
def captured_broadcasts(key: str):
    """Record every broadcast to a stream's group during the block, as Zulip's
    capture of sent events does: the real send still happens (the spy wraps
    `realtime.events.group_send`, the one door to the channel layer)."""
    from realtime import events

    captured = CapturedBroadcasts(events.group_name(key))
    real_send = events.group_send

    def spy(group, message):
        if group == captured.group:
            captured.messages.append(message)
        real_send(group, message)

    events.group_send = spy
    try:
        yield captured
    finally:
        events.group_send = real_send
