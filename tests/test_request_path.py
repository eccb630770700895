"""The request path under Daphne (config/asgi_http.py): the whole middleware
chain and the view in one trip to a thread lent for the request, threads
reused, and a database pool sized for them. Static files: test_static_files.py."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from asgiref.sync import markcoroutinefunction
from django.conf import settings
from django.test import Client, override_settings
from django.utils.module_loading import import_string

from config.asgi_http import RequestHandler, ThreadLender
from config.env import OTHER_CONNECTION_HOLDERS, ConfigurationError, database_pool_size, env_int
from tests.asgi_client import Reply, asgi_application, call, counted_trips, request

# /healthz asks the database whether it answers (config/views.py).
pytestmark = pytest.mark.django_db

THREADS_SEEN: list[int] = []


class RecordThread:
    """A middleware that notes the thread each request runs on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        THREADS_SEEN.append(threading.get_ident())
        return self.get_response(request)


class AsyncOnly:
    """A middleware that cannot run synchronously."""

    sync_capable, async_capable = False, True

    def __init__(self, get_response):
        self.get_response = get_response
        markcoroutinefunction(self)

    async def __call__(self, request):
        return await self.get_response(request)


def handler_with(*extra_middleware: str, threads: int = 2) -> RequestHandler:
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, *extra_middleware]):
        return RequestHandler(threads=threads)


# --- one mode, one trip ---------------------------------------------------------------------


def test_no_middleware_serves_static_files():
    assert not any("whitenoise" in path.lower() for path in settings.MIDDLEWARE)


@pytest.mark.parametrize("path", settings.MIDDLEWARE)
def test_every_middleware_can_run_synchronously(path):
    """The chain runs synchronously in one trip; a middleware that cannot
    would put trips back between every layer (see the next tests)."""
    assert getattr(import_string(path), "sync_capable", True)


def test_a_request_makes_one_trip_to_a_thread_and_none_back(monkeypatch):
    with counted_trips(monkeypatch) as trips:
        reply = request(asgi_application(), "GET", "/healthz")

    assert reply.status == 200
    assert trips == {"to_thread": 1, "to_loop": 0}


def test_a_middleware_that_cannot_run_synchronously_would_add_trips(monkeypatch):
    handler = handler_with("tests.test_request_path.AsyncOnly")

    with counted_trips(monkeypatch) as trips:
        reply = request(handler, "GET", "/healthz")

    assert reply.status == 200
    assert trips["to_thread"] > 1 and trips["to_loop"] > 0


@pytest.mark.django_db(transaction=True)
def test_a_members_page_runs_the_whole_chain_in_one_trip(monkeypatch, member):
    client = Client()
    client.force_login(member)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    with counted_trips(monkeypatch) as trips:
        reply = request(asgi_application(), "GET", "/proposals/", headers={"Cookie": cookie})

    assert reply.status == 200
    assert b"/accounts/logout/" in reply.body  # the page knows who asks
    assert trips == {"to_thread": 1, "to_loop": 0}


@pytest.mark.django_db(transaction=True)
def test_a_ballot_is_cast_in_one_trip_to_a_thread(monkeypatch, community):
    from rest_framework.authtoken.models import Token

    from proposals.models import Ballot
    from tests.proposals.helpers import voting_now

    proposal = voting_now(community["alice"])
    token = Token.objects.create(user=community["bob"])

    with counted_trips(monkeypatch) as trips:
        reply = request(
            asgi_application(),
            "POST",
            f"/api/v1/proposals/{proposal.pk}/ballot/",
            headers={"Authorization": f"Token {token.key}", "Content-Type": "application/json"},
            body=b'{"choice": "yes"}',
        )

    assert reply.status == 200, reply.body
    assert Ballot.objects.get(proposal=proposal, voter=community["bob"]).choice == "yes"
    assert trips["to_thread"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_streamed_response_is_sent_from_the_request_thread_and_then_closed(community):
    reply = request(asgi_application(), "GET", "/api/v1/journal/export.jsonl")

    assert reply.status == 200
    lines = reply.body.decode().splitlines()
    assert lines and all(json.loads(line)["hash"] for line in lines)


# --- threads and connections -----------------------------------------------------------------


def test_requests_reuse_their_threads():
    THREADS_SEEN.clear()
    handler = handler_with("tests.test_request_path.RecordThread", threads=4)

    for _ in range(5):
        assert request(handler, "GET", "/healthz").status == 200

    assert len(THREADS_SEEN) == 5
    assert len(set(THREADS_SEEN)) == 1
    assert THREADS_SEEN[0] != threading.get_ident()


def test_concurrent_requests_share_at_most_the_configured_threads():
    THREADS_SEEN.clear()
    handler = handler_with("tests.test_request_path.RecordThread", threads=2)

    async def many():
        return await asyncio.gather(*(call(handler, "GET", "/healthz") for _ in range(12)))

    replies = [Reply(sent) for sent in asyncio.run(many())]

    assert [reply.status for reply in replies] == [200] * 12
    assert len(set(THREADS_SEEN)) <= 2
    assert handler.threads.created <= 2


@pytest.mark.django_db(transaction=True)
def test_a_request_gives_back_its_database_connection(member):
    from django.db import connection

    handler = handler_with(threads=1)
    client = Client()
    client.force_login(member)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    async def page_then_look():
        sent = await call(handler, "GET", "/proposals/", headers={"Cookie": cookie})
        executor = await handler.threads.acquire()  # the request's thread (only one)
        try:
            still_open = await asyncio.get_running_loop().run_in_executor(
                executor, lambda: connection.connection is not None
            )
        finally:
            handler.threads.release(executor)
        return Reply(sent), still_open

    reply, still_open = asyncio.run(page_then_look())

    assert reply.status == 200
    assert still_open is False


def test_a_client_that_leaves_at_once_frees_the_thread():
    handler = handler_with(threads=1)

    async def leave_then_ask_again():
        await call(handler, "GET", "/healthz", disconnect=True)
        return await asyncio.wait_for(call(handler, "GET", "/healthz"), timeout=10)

    assert Reply(asyncio.run(leave_then_ask_again())).status == 200
    assert handler.threads.created == 1


def test_waiting_requests_get_threads_in_arrival_order():
    lender = ThreadLender(1)

    async def scenario():
        first = await lender.acquire()
        order = []

        async def wait(name):
            executor = await lender.acquire()
            order.append(name)
            lender.release(executor)

        waiters = [asyncio.create_task(wait(name)) for name in ("a", "b", "c")]
        await asyncio.sleep(0)
        lender.release(first)
        await asyncio.gather(*waiters)
        return order

    assert asyncio.run(scenario()) == ["a", "b", "c"]
    assert lender.created == 1


def test_a_waiter_cancelled_after_being_served_passes_its_thread_on():
    lender = ThreadLender(1)

    async def scenario():
        first = await lender.acquire()
        cancelled = asyncio.create_task(lender.acquire())
        await asyncio.sleep(0)
        lender.release(first)  # handed to the waiter ...
        cancelled.cancel()  # ... which is cancelled before it resumes
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        return await asyncio.wait_for(lender.acquire(), timeout=1)

    assert asyncio.run(scenario()) is not None
    assert lender.created == 1


# --- the pool ---------------------------------------------------------------------------------


def test_the_pool_has_a_connection_for_every_thread_that_can_hold_one():
    """8 request threads, the websocket consumers' thread, the governance
    ticker and two running-tally announcements."""
    assert database_pool_size(8, environ={}) == 12


def test_the_pool_size_can_be_set_explicitly():
    assert database_pool_size(8, environ={"DATABASE_POOL_SIZE": "30"}) == 30


@pytest.mark.parametrize("raw", ["0", "-1", "many", ""])
def test_a_pool_without_connections_is_refused(raw):
    with pytest.raises(ConfigurationError, match="DATABASE_POOL_SIZE"):
        database_pool_size(8, environ={"DATABASE_POOL_SIZE": raw})


def test_request_threads_must_be_a_positive_number():
    assert env_int("REQUEST_THREADS", 8, minimum=1, environ={}) == 8
    assert env_int("REQUEST_THREADS", 8, minimum=1, environ={"REQUEST_THREADS": "3"}) == 3
    with pytest.raises(ConfigurationError, match="REQUEST_THREADS must be at least 1"):
        env_int("REQUEST_THREADS", 8, minimum=1, environ={"REQUEST_THREADS": "0"})


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="PostgreSQL pool"
)
def test_the_configured_pool_covers_the_request_threads():
    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]

    assert pool["max_size"] >= settings.REQUEST_THREADS + OTHER_CONNECTION_HOLDERS
