"""Start Daphne the way Commons needs it: request bodies bounded as they arrive.

    python -m config.serve [Daphne's options] config.asgi:application

Takes exactly Daphne's command-line options. The one difference: Daphne
(through Twisted) receives a whole request body before the application runs,
then hands it to the application in memory. `config.asgi_guards.BodyLimit`
answers 413 to an oversize body, but only once Daphne has read all of it, so a
150 MB anonymous POST used to raise a server's memory by about 450 MB, and a
few at once could exhaust it. Here the request itself refuses:

- a declared `Content-Length` over `REQUEST_MAX_BYTES` is answered 413 as soon
  as the headers end, before any of the body is sent;
- a body without a length (chunked) is counted while it arrives and answered
  413 the moment it crosses the limit;
- nothing of a refused body is kept. The answer is written, the server stops
  sending (a half-close, so the client reads the 413 rather than a reset
  connection), discards what the client still sends, and closes the
  connection after `LINGER_SECONDS`.

The 413 has the same words and, under /api/, the same JSON shape as
`BodyLimit`'s (`config.asgi_guards.too_large`). A proxy in front should still
refuse oversize bodies itself (README, "Production deployment"), so they never
reach a server at all.
"""

from __future__ import annotations

import io
import sys

from daphne import server as daphne_server
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory, WebRequest

# Long enough for a client to read the 413 after its last write, short enough
# that a client sending forever cannot keep the connection.
LINGER_SECONDS = 2.0


def _max_bytes() -> int:
    # Read when a request arrives: Django's settings are configured by then,
    # because Daphne imports the application before it listens.
    from django.conf import settings

    return settings.REQUEST_MAX_BYTES


class BoundedRequest(WebRequest):
    """Daphne's request, refusing a body over `REQUEST_MAX_BYTES` as it arrives."""

    refused = False
    received = 0

    def gotLength(self, length):
        if length is not None and length > _max_bytes():
            self._refuse()
            return
        super().gotLength(length)

    def handleContentChunk(self, data):
        if self.refused:
            return
        self.received += len(data)
        if self.received > _max_bytes():
            self._refuse()
            return
        super().handleContentChunk(data)

    def process(self):
        # The whole (discarded) body of a refused request has arrived: the
        # application never sees it.
        if self.refused:
            return None
        return super().process()

    def _refuse(self) -> None:
        from config.asgi_guards import too_large

        self.refused = True
        if getattr(self, "content", None) is not None:
            self.content.close()
        self.content = io.BytesIO()  # never written: the body is discarded
        # The request line is parsed but not yet given to the request (Twisted
        # does that once the body is complete): the channel holds its path.
        raw_path = getattr(self.channel, "_path", b"") or b""
        path = raw_path.split(b"?", 1)[0].decode("latin-1")
        headers, body = too_large(path, _max_bytes())
        head = b"HTTP/1.1 413 Content Too Large\r\n" + b"".join(
            name + b": " + value + b"\r\n" for name, value in headers
        )
        transport = self.channel.transport
        transport.write(head + b"\r\n" + body)
        # Imported here: Daphne installs its asyncio reactor when daphne.server
        # is imported, and Twisted's default one must not be installed first.
        from twisted.internet import reactor

        if hasattr(transport, "loseWriteConnection"):
            transport.loseWriteConnection()
            reactor.callLater(LINGER_SECONDS, _close, transport)
        else:
            transport.loseConnection()


def _close(transport) -> None:
    if transport.connected:
        transport.abortConnection()


class BoundedHTTPFactory(HTTPFactory):
    def buildProtocol(self, addr):
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = BoundedRequest
        return protocol


def main(argv: list[str] | None = None) -> None:
    # Daphne's Server.run() builds its factory as `HTTPFactory(self)`, by the
    # name daphne.server imported, and offers no other hook: rebind that name.
    daphne_server.HTTPFactory = BoundedHTTPFactory
    CommandLineInterface().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
