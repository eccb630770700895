"""Every limit holds whatever headers are sent, and bodies stay bounded.

- The client's address comes from X-Forwarded-For only when a trusted proxy
  sent it (config/asgi_guards.py); rotating the header once lifted the token
  endpoint's throttle.
- The token endpoint obeys the login form's lockout.
- Bodies over REQUEST_MAX_BYTES are refused with 413 before they are read.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from config.asgi_guards import BodyLimit, TrustedProxies, parse_networks
from tests.asgi_client import asgi_application, call, request
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def seen_by_app(networks: str, *, peer: str, headers: dict[str, str]) -> dict:
    """The scope the application behind TrustedProxies receives."""
    seen = {}

    async def app(scope, receive, send):
        seen.update(scope)

    scope = {
        "type": "http",
        "scheme": "http",
        "client": (peer, 4000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    asyncio.run(TrustedProxies(app, parse_networks(networks))(scope, None, None))
    return seen


def test_forwarded_headers_from_an_untrusted_peer_are_dropped():
    seen = seen_by_app(
        "", peer="203.0.113.9", headers={"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https"}
    )
    assert seen["client"][0] == "203.0.113.9"
    assert seen["scheme"] == "http"
    assert not any(name.startswith(b"x-forwarded") for name, _ in seen["headers"])


def test_a_trusted_proxy_names_the_client_and_the_scheme():
    seen = seen_by_app(
        "10.0.0.0/8, 127.0.0.1",
        peer="10.1.2.3",
        # The client may prepend anything; only what the proxies appended counts.
        headers={
            "X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.0.0.5",
            "X-Forwarded-Proto": "https",
        },
    )
    assert seen["client"][0] == "198.51.100.7"
    assert seen["scheme"] == "https"


def test_a_malformed_forwarded_header_keeps_the_proxy_address():
    seen = seen_by_app("127.0.0.1", peer="127.0.0.1", headers={"X-Forwarded-For": "not-an-ip"})
    assert seen["client"][0] == "127.0.0.1"


def token_attempt(app, forwarded_for: str, username: str = "bob") -> int:
    body = json.dumps({"username": username, "password": "wrong"}).encode()
    reply = request(
        app,
        "POST",
        "/api/v1/auth/token/",
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
        body=body,
    )
    return reply.status


def test_rotating_x_forwarded_for_does_not_lift_the_token_throttle(community):
    app = asgi_application()
    statuses = [token_attempt(app, f"198.51.100.{n}", f"person{n}") for n in range(15)]
    assert statuses.count(429) >= 5  # 10 a minute from the one real address


def test_behind_a_trusted_proxy_clients_are_counted_apart(community):
    from config.asgi_http import http_application

    app = TrustedProxies(http_application(threads=2), parse_networks("127.0.0.1"))
    # Twelve different clients, each trying its own account: every one under
    # the limits (the address's and the account's).
    statuses = [token_attempt(app, f"198.51.100.{n}", f"person{n}") for n in range(12)]
    assert 429 not in statuses
    assert all(status == 400 for status in statuses)


def test_the_token_endpoint_obeys_the_login_lockout(community):
    """Five failed form logins lock bob's account out; the API agrees, even
    with the right password."""
    form = Client()
    for _ in range(5):
        form.post(reverse("account_login"), {"login": "bob", "password": "wrong"})
    locked = form.post(reverse("account_login"), {"login": "bob", "password": DEFAULT_PASSWORD})
    assert locked.status_code == 200  # the form shows the lockout
    api = Client()
    answer = api.post(
        "/api/v1/auth/token/",
        {"username": "bob", "password": DEFAULT_PASSWORD},
        content_type="application/json",
    )
    assert answer.status_code == 429
    assert answer.json()["code"] == "too_many_login_attempts"


def test_an_oversize_body_is_refused_unread(community):
    app = asgi_application()
    reply = request(
        app,
        "POST",
        "/accounts/login/",
        headers={"Content-Length": str(settings.REQUEST_MAX_BYTES + 1)},
    )
    assert reply.status == 413
    api = request(
        app,
        "POST",
        "/api/v1/auth/token/",
        headers={"Content-Length": str(10**12), "Content-Type": "application/json"},
    )
    assert (api.status, json.loads(api.body)["code"]) == (413, "too_large")


def test_a_body_longer_than_it_said_is_refused_when_it_crosses_the_limit():
    received = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            received.append(message["type"])
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                break

    chunks = [b"x" * 600, b"x" * 600]

    async def scenario():
        inbox = asyncio.Queue()
        for i, chunk in enumerate(chunks):
            inbox.put_nowait(
                {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
            )
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "path": "/x", "headers": [(b"content-length", b"10")]}
        await BodyLimit(app, max_bytes=1000)(scope, inbox.get, send)
        return sent

    sent = asyncio.run(scenario())
    assert received == ["http.request", "http.disconnect"]
    assert sent[0]["status"] == 413


def test_a_form_body_within_the_limit_still_works(community):
    reply = asyncio.run(
        call(
            asgi_application(),
            "POST",
            "/api/v1/auth/token/",
            headers={"Content-Type": "application/json"},
            body=json.dumps({"username": "bob", "password": DEFAULT_PASSWORD}).encode(),
        )
    )
    assert reply[0]["status"] == 200


def test_one_account_locked_out_does_not_lock_out_the_room(community):
    """Seven wrong passwords for bob from a shared address lock bob out, not
    alice, who logs in from the same address."""
    room = Client(REMOTE_ADDR="192.0.2.50")
    for _ in range(7):
        room.post(reverse("account_login"), {"login": "bob", "password": "wrong"})
    bob = room.post(reverse("account_login"), {"login": "bob", "password": DEFAULT_PASSWORD})
    assert bob.status_code == 200  # refused: the form shows the lockout
    alice = room.post(reverse("account_login"), {"login": "alice", "password": DEFAULT_PASSWORD})
    assert alice.status_code == 302
