"""The HTTP side of the ASGI application: static files, then Django.

Why not Django's own ASGIHandler as it comes? Under it, a request to a
synchronous view (all of ours: Django's forms, DRF) pays for two things
that buy nothing here:

- **Thread hand-offs.** ASGIHandler builds the middleware chain in async
  mode. Each middleware written the classic way (Django's own, through
  ``MiddlewareMixin``) then runs its ``process_request`` and
  ``process_response`` behind ``sync_to_async``: a trip from the event loop
  to a thread and back for each, about fifteen per request, before the view
  gets its own. A middleware that can only run synchronously (WhiteNoise's)
  adds an ``async_to_sync`` trip the other way around the rest.
- **A new thread per request.** ASGIHandler enters a fresh
  ``ThreadSensitiveContext`` for each request, and asgiref gives each such
  context a new one-thread executor: every request starts (and abandons) a
  thread, and with it any per-thread state. (Daphne's ``ASGI_THREADS`` does
  not help: it sizes only the event loop's default executor, which
  thread-sensitive calls such as views never use.)

`RequestHandler` builds the chain in synchronous mode instead, so that
Django's ``request_started`` signal, the whole chain, the view and closing
the response (``request_finished``, which returns the database connection)
run in one call on one thread: one trip from the event loop per request, and
none back (a streamed response is closed in a second trip, after it has been
sent). The threads are reused: each request borrows one of at most
``REQUEST_THREADS`` single-thread executors, most recently used first, and
hands it to ``ThreadSensitiveContext`` (asgiref's public ``executor=``
argument), so everything thread-sensitive in the request, streaming
responses' chunks included, still runs on the request's one thread, where
its database connection lives. Requests beyond that number wait on the
event loop for a thread, like requests queued at a threaded WSGI server:
this bounds the interpreter-lock contention and the database connections a
process needs (see ``DATABASE_POOL_SIZE``).

Static files never reach Django: `StaticFiles` answers ``STATIC_URL`` at the
ASGI level from WhiteNoise's index of the collected files (or of the
finders' files under ``DEBUG``), with WhiteNoise's headers: long-lived
``immutable`` caching for hashed names, ETag and Last-Modified with 304s,
the pre-compressed ``.gz`` file when the client accepts it, ranges, HEAD,
405 for other methods; 404 for anything else under the prefix, and no path
outside the index (``..`` never matches). In production the proxy should
serve ``/static/`` itself (README, "Production deployment"); this keeps a
bare Daphne (``make run``, a single node) complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import ImproperlyConfigured, RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse
from django.urls import set_script_prefix

CHUNK = 64 * 1024


class ThreadLender:
    """At most `size` one-thread executors, lent one per request.

    The most recently returned executor is lent first, so a lightly loaded
    process keeps using the same few warm threads. Waiters are served in
    arrival order. Used from one event loop at a time (Daphne's)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a request needs at least one thread")
        self.size = size
        self.created = 0
        self._idle: list[ThreadPoolExecutor] = []
        self._waiters: deque[asyncio.Future] = deque()

    async def acquire(self) -> ThreadPoolExecutor:
        if self._idle:
            return self._idle.pop()
        if self.created < self.size:
            self.created += 1
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            # Cancelled after being handed an executor: pass it on.
            if waiter.done() and not waiter.cancelled():
                self.release(waiter.result())
            raise

    def release(self, executor: ThreadPoolExecutor) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(executor)
                return
        self._idle.append(executor)


class RequestHandler(ASGIHandler):
    """Django's ASGIHandler, with everything synchronous in a request done in
    one trip to a thread lent for the request (see the module docstring)."""

    def __init__(self, *, threads: int) -> None:
        if "executor" not in inspect.signature(ThreadSensitiveContext).parameters:
            raise ImproperlyConfigured(
                "config.asgi_http lends threads through ThreadSensitiveContext(executor=…): "
                "it needs a newer asgiref (the lock pins 3.13.0)"
            )
        BaseHandler.__init__(self)  # ASGIHandler.__init__ would build an async chain
        self.load_middleware(is_async=False)
        self.threads = ThreadLender(threads)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # Daphne calls the application once the whole request body has
        # arrived, so a slow upload does not hold a thread.
        executor = await self.threads.acquire()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.threads.release(executor)

    async def handle(self, scope, receive, send):
        """ASGIHandler.handle (Django 5.2), except that the request_started
        signal, the chain, the view and (for a response that is not streamed)
        closing the response, which sends request_finished and so returns the
        database connection, happen in one trip instead of three."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        # As in Django: a client that leaves cancels the response (a
        # synchronous view still runs to its end; asgiref waits for it).
        tasks = [
            asyncio.create_task(self.listen_for_disconnect(receive)),
            asyncio.create_task(self.respond(scope, body_file, send)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                try:
                    task.result()
                except RequestAborted:
                    pass
                except AssertionError:
                    body_file.close()
                    raise
            else:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if tasks[1].cancelled():
            await signals.request_finished.asend(sender=self.__class__)
        body_file.close()

    async def respond(self, scope, body_file, send) -> None:
        response = await sync_to_async(self.respond_sync, thread_sensitive=True)(scope, body_file)
        with contextlib.suppress(asyncio.CancelledError):  # the client left (as in Django)
            await self.send_response(response, send)
        if response.streaming:  # its content came from the thread while it was sent
            await sync_to_async(response.close)()

    def respond_sync(self, scope, body_file):
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            # BaseHandler.get_response: URL conf, the chain, the view,
            # closers, logging of error responses.
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            # Its content is bytes by now: closing it before it is sent only
            # moves request_finished (and the connection's return) earlier.
            response.close()
        return response


class StaticFiles:
    """ASGI application: files under STATIC_URL, everything else to `application`."""

    def __init__(self, application) -> None:
        # WhiteNoise's Django integration reads the WHITENOISE_* settings,
        # indexes STATIC_ROOT (and the finders under DEBUG) and knows which
        # names are hashed by the manifest; only its serving is replaced.
        from whitenoise.middleware import WhiteNoiseMiddleware

        self.application = application
        self.index = WhiteNoiseMiddleware()
        self.prefix = self.index.static_prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.application(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        request_headers = {
            "HTTP_" + name.decode("latin-1").upper().replace("-", "_"): value.decode("latin-1")
            for name, value in scope["headers"]
        }
        # Looking up (a stat under autorefresh) and opening the file touch the
        # disk: they run off the event loop, like every read below.
        response = await loop.run_in_executor(
            None, self.respond, scope["method"], scope["path"], request_headers
        )
        if response is None:
            await send_plain(send, 404, b"Not Found", head=scope["method"] == "HEAD")
            return
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
        headers.append((b"X-Content-Type-Options", b"nosniff"))
        status = int(response.status)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if response.file is None:
            await send({"type": "http.response.body", "body": b""})
            return
        try:
            while chunk := await loop.run_in_executor(None, response.file.read, CHUNK):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            response.file.close()

    def respond(self, method: str, path: str, request_headers: dict[str, str]):
        """WhiteNoise's response for `path`, or None when no such file is indexed."""
        index = self.index
        static_file = index.find_file(path) if index.autorefresh else index.files.get(path)
        if static_file is None:
            return None
        return static_file.get_response(method, request_headers)


async def send_plain(send, status: int, body: bytes, *, head: bool = False) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"Content-Type", b"text/plain; charset=utf-8"),
                (b"Content-Length", str(len(body)).encode()),
                (b"X-Content-Type-Options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"" if head else body})


def http_application(*, threads: int):
    """Static files in front of Django; call after django.setup()."""
    return StaticFiles(RequestHandler(threads=threads))
