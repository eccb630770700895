"""What the ASGI application checks before anything else runs: who the
client is, and how much it may send.

**The client's address.** Rate limits (login, tokens, sign-up) and the
per-address websocket limit count by address. Behind a proxy, Daphne sees
the proxy's; the visitor's is in `X-Forwarded-For`, a header anyone can
write. So it is believed only from the proxies named in `TRUSTED_PROXIES`
(addresses or networks): the client is the right-most address of that
header that is not itself a trusted proxy. From anyone else, every
`X-Forwarded-*` header is dropped, so neither Django nor DRF nor allauth
can be told another address or scheme. (Daphne's own `--proxy-headers`
trusts the header from anyone: do not use it.)

**The body.** A request may carry at most `REQUEST_MAX_BYTES` (receipts are
the largest thing Commons accepts). A larger declared `Content-Length` is
refused with 413 before the body is read, and a body that turns out larger
while it is read (chunked, or lying) is refused as soon as it crosses the
limit. Daphne itself reads a whole body before the application runs, so
`config.serve` (how Commons starts Daphne) applies the same limit while the
body arrives; this class still holds wherever the application is served
some other way. The proxy's body limit (README, "Production deployment")
stops oversize bodies before they reach a server at all.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> list[Network]:
    """`TRUSTED_PROXIES`: comma-separated addresses or networks (CIDR)."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if item:
            networks.append(ipaddress.ip_network(item, strict=False))
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, networks: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


FORWARDED = (b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"forwarded")


class TrustedProxies:
    """Set ``scope["client"]`` (and the scheme) from a trusted proxy's
    headers; drop those headers from anyone else."""

    def __init__(self, app, networks: list[Network]):
        self.app = app
        self.networks = networks

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        peer = _address((scope.get("client") or ("", 0))[0])
        headers = [(name.lower(), value) for name, value in scope.get("headers", [])]
        forwarded = {name: value for name, value in headers if name in FORWARDED}
        scope = dict(scope, headers=[(n, v) for n, v in headers if n not in FORWARDED])
        if forwarded and _trusted(peer, self.networks):
            client = self._client(forwarded.get(b"x-forwarded-for", b""))
            if client is not None:
                scope["client"] = (str(client), 0)
            proto = forwarded.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
            if proto in ("http", "https"):
                if scope["type"] == "http":
                    scope["scheme"] = proto
                else:
                    scope["scheme"] = "wss" if proto == "https" else "ws"
        return await self.app(scope, receive, send)

    def _client(self, header: bytes):
        hops = [_address(part) for part in header.decode("latin-1").split(",")]
        for hop in reversed(hops):
            if hop is None:
                return None  # a malformed hop: keep the proxy's address
            if not _trusted(hop, self.networks):
                return hop
        return None


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, early."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = True  # not a length: refuse rather than guess
            if too_big:
                return await self._refuse(scope, send)
        received = 0
        refused = False

        async def counted_receive():
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    # The application sees a disconnected client and stops
                    # reading; the refusal is sent below.
                    return {"type": "http.disconnect"}
            return message

        started = False

        async def guarded_send(message):
            nonlocal started
            if refused:
                return  # the refusal answers instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted_receive, guarded_send)
        if refused and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope, send) -> None:
        headers, body = too_large(scope.get("path", ""), self.max_bytes)
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def too_large(path: str, max_bytes: int) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The 413 answer's headers and body: JSON in the API's error shape under
    /api/, plain text elsewhere. One wording, whether the application refuses
    (`BodyLimit`) or the server does before the body arrives (`config.serve`)."""
    message = f"The request is larger than {max_bytes / (1024 * 1024):g} MB."
    if path.startswith("/api/"):
        body = json.dumps({"detail": message, "code": "too_large"}).encode()
        content_type = b"application/json"
    else:
        body = message.encode()
        content_type = b"text/plain; charset=utf-8"
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    return headers, body
