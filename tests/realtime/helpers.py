"""Helpers for debate tests: proposals, session cookies and websocket clients
talking to the full routed ASGI application."""

from __future__ import annotations

from datetime import timedelta

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from proposals.models import Proposal


def make_proposal(author, *, title="Plant fruit trees in the courtyard") -> Proposal:
    """A motion in discussion, drafted and submitted through the services like
    any other (its debate starts with the event of its submission)."""
    from tests.proposals.helpers import draft, submit

    return submit(draft(author, title=title, body="We propose to plant six apple trees."))


def due_for_voting(author, *, title="Plant fruit trees in the courtyard") -> Proposal:
    """A motion whose discussion is just over, its vote not yet opened: the
    next advance of the proposal (or its first ballot) opens the vote now."""
    import time_machine
    from django.utils import timezone

    from governance.selectors import current_parameters
    from tests.proposals.helpers import MINUTE, draft, submit

    proposal = draft(author, title=title, body="We propose to plant six apple trees.")
    days = timedelta(days=current_parameters().discussion_days)
    with time_machine.travel(timezone.now() - days - MINUTE, tick=False):
        return submit(proposal)


def cast_ballots(proposal: Proposal, *, yes=(), no=(), abstain=()) -> Proposal:
    """Real ballots on a proposal whose vote is open; returns it with its tally."""
    from proposals.services import cast_vote

    for choice, voters in (("yes", yes), ("no", no), ("abstain", abstain)):
        for voter in voters:
            cast_vote(proposal_id=proposal.pk, voter=voter, choice=choice)
    proposal.refresh_from_db()
    return proposal


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
