"""`config.serve`: the server refuses an oversize body as it arrives, keeps
none of it, and goes on serving. Each test talks raw HTTP to a real server
process, because what is tested is what happens before the application runs:
stock Daphne receives the whole body first (and holds it in memory)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from tests.factories import DEFAULT_PASSWORD

LIMIT = 64 * 1024
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(daphne_factory):
    return daphne_factory(extra_env={"REQUEST_MAX_BYTES": str(LIMIT)})


def _connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.settimeout(10)
    return sock


def _head(method: str, path: str, **headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _form_post(**headers: str) -> bytes:
    return _head(
        "POST",
        "/accounts/login/",
        Content_Type="application/x-www-form-urlencoded",
        **headers,
    )


def _read_reply(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before an answer: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_declared_length_over_the_limit_is_answered_before_the_body_is_sent(server):
    with _connect(server) as sock:
        sock.sendall(_form_post(Content_Length=str(150 * 1024 * 1024)))
        status, headers, body = _read_reply(sock)  # not one byte of the body sent
    assert status == 413
    assert headers["connection"] == "close"
    assert body == b"The request is larger than 0.0625 MB."


def test_the_api_gets_its_error_shape(server):
    with _connect(server) as sock:
        sock.sendall(
            _head(
                "POST",
                "/api/v1/auth/token/?x=1",
                Content_Type="application/json",
                Content_Length=str(10**15),
            )
        )
        status, headers, body = _read_reply(sock)
    assert (status, headers["content-type"]) == (413, "application/json")
    assert json.loads(body) == {
        "detail": "The request is larger than 0.0625 MB.",
        "code": "too_large",
    }


def test_a_chunked_body_is_refused_when_it_crosses_the_limit_and_none_of_it_is_kept(server):
    before = _rss_kib(server.process.pid)
    piece = b"a" * (1024 * 1024)
    frame = b"%x\r\n%s\r\n" % (len(piece), piece)
    with _connect(server) as sock:
        sock.sendall(_form_post(Transfer_Encoding="chunked"))
        sent = 0
        try:
            for _ in range(80):  # 80 MB, far past the limit
                sock.sendall(frame)
                sent += len(piece)
        except OSError:
            pass  # the server closed the connection after answering
        status, _headers, _body = _read_reply(sock)
    assert status == 413
    assert sent > LIMIT
    # Stock Daphne would hold all of it (twice) before the application refused.
    assert _rss_kib(server.process.pid) - before < 20 * 1024


def test_the_server_goes_on_serving_and_a_body_within_the_limit_reaches_the_application(
    server, community
):
    with _connect(server) as sock:
        sock.sendall(_form_post(Content_Length=str(LIMIT + 1)))
        assert _read_reply(sock)[0] == 413
    body = json.dumps({"username": "bob", "password": DEFAULT_PASSWORD}).encode()
    deadline = time.monotonic() + 5
    with _connect(server) as sock:
        sock.sendall(
            _head(
                "POST",
                "/api/v1/auth/token/",
                Content_Type="application/json",
                Content_Length=str(len(body)),
            )
            + body
        )
        status, _headers, reply = _read_reply(sock)
    assert time.monotonic() < deadline
    assert status == 200
    assert "token" in json.loads(reply)
