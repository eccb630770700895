"""Calling the ASGI application in tests the way Daphne calls it, and
counting the trips between the event loop and threads."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager

from asgiref.sync import AsyncToSync, SyncToAsync


class Reply:
    def __init__(self, messages: list[dict]) -> None:
        start = messages[0]
        assert start["type"] == "http.response.start"
        self.status = start["status"]
        self.headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        self.body = b"".join(m.get("body", b"") for m in messages[1:])


def scope_for(method: str, path: str, headers: dict[str, str] | None = None) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def call(app, method, path, *, headers=None, body=b"", disconnect=False) -> list[dict]:
    """One request, as Daphne makes it: the whole body in one message, then
    nothing until the client leaves (at once when `disconnect`)."""
    inbox: asyncio.Queue = asyncio.Queue()
    inbox.put_nowait({"type": "http.request", "body": body, "more_body": False})
    if disconnect:
        inbox.put_nowait({"type": "http.disconnect"})
    if body:
        headers = {**(headers or {}), "Content-Length": str(len(body))}
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    await app(scope_for(method, path, headers), inbox.get, send)
    return sent


def request(app, method, path, **kwargs) -> Reply:
    return Reply(asyncio.run(call(app, method, path, **kwargs)))


def asgi_application():
    from config.asgi import application

    return application


@contextmanager
def counted_trips(monkeypatch):
    """Counts trips from the event loop to a thread (sync_to_async) and back
    (async_to_sync) while the block runs."""
    trips = {"to_thread": 0, "to_loop": 0}
    to_thread, to_loop = SyncToAsync.__call__, AsyncToSync.__call__

    async def counted_to_thread(self, *args, **kwargs):
        trips["to_thread"] += 1
        return await to_thread(self, *args, **kwargs)

    def counted_to_loop(self, *args, **kwargs):
        trips["to_loop"] += 1
        return to_loop(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(SyncToAsync, "__call__", counted_to_thread)
        patch.setattr(AsyncToSync, "__call__", counted_to_loop)
        yield trips
