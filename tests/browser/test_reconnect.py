"""A line that goes silent is given up and the page catches up by itself.

The page reaches the server through a relay that the test can hold, as a
proxy or a lost channel-layer subscription would: the socket stays open but
nothing arrives. After three heartbeats of silence the page closes the
socket, reconnects with `?after=` its last number once the line answers
again, and shows what was posted meanwhile, with no reload
(debates/debate.js). Before the heartbeat check, the old socket woke up and
nothing told the page it had been cut off."""

import re
import socket
import threading
import time
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from debates import services as debates
from tests.browser.test_debate import log_in_new_page, open_debate
from tests.debates.helpers import make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEARTBEAT = 1  # seconds: the page gives a line up after three


class Relay:
    """Forwards TCP connections to a server; `hold()` stops every byte in
    both directions (kept, not lost) until `release()`."""

    def __init__(self, port: int):
        self.target = port
        self.flowing = threading.Event()
        self.flowing.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                self.flowing.wait()
                target.sendall(data)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def hold(self):
        self.flowing.clear()

    def release(self):
        self.flowing.set()

    def close(self):
        self.release()
        self.listener.close()


def test_a_silent_line_is_given_up_and_the_page_catches_up_without_reload(
    browser, daphne_factory, community
):
    server = daphne_factory(extra_env={"REALTIME_HEARTBEAT_SECONDS": str(HEARTBEAT)})
    relay = Relay(server.port)
    through_relay = SimpleNamespace(url=f"http://127.0.0.1:{relay.port}")
    proposal = make_proposal(community["alice"], title="Paint the hall")
    context = browser.new_context(locale="en-GB")
    try:
        page = log_in_new_page(context, through_relay, "bob")
        sockets = []
        page.on("websocket", lambda opened: sockets.append(opened.url))
        open_debate(page, through_relay, proposal)
        # The welcome has arrived (it tells the page the heartbeat's period,
        # and fills in who is reading) before the line is held.
        expect(page.locator("[data-debate-presence]")).to_have_text(re.compile(r"^\d+$"))
        assert len(sockets) == 1
        relay.hold()
        try:
            debates.post_argument(
                actor=community["carol"],
                proposal_id=proposal.pk,
                body="Posted while the line was silent.",
                stance="pro",
            )
            time.sleep(3 * HEARTBEAT + 3)  # the page notices the silence and closes
        finally:
            relay.release()
        posted = page.locator("article.argument", has_text="Posted while the line was silent.")
        expect(posted).to_be_visible(timeout=15_000)
        expect(page.locator("#debate")).to_have_attribute("data-connection", "live")
        assert len(sockets) >= 2, sockets  # a new socket, not the held one resumed
        assert "after=" in sockets[-1]
    finally:
        context.close()
        relay.close()
