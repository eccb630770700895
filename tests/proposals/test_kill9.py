"""Every acknowledged ballot survives the server being killed (SIGKILL) in
the middle of casting: a 200 is only sent once the ballot is committed. A
request in flight at the kill may or may not be stored (its voter never
heard back), and the running tally equals a recount either way.
(benchmarks/bench_reliability.py measures the same with 50 voters and three
kills; this keeps it in CI at a small scale.)"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter

import pytest
from rest_framework.authtoken.models import Token

from proposals.models import Ballot, Proposal
from tests.factories import make_member
from tests.proposals.helpers import voting_now

pytestmark = [pytest.mark.live_server_process, pytest.mark.django_db(transaction=True)]

CHOICES = ("yes", "no", "abstain")
VOTERS = 8


class Voter(threading.Thread):
    """Changes its ballot again and again on one keep-alive connection,
    noting what became of each request."""

    def __init__(self, index: int, token: str, port: int, proposal: int):
        super().__init__(daemon=True)
        self.index, self.port = index, port
        self.path = f"/api/v1/proposals/{proposal}/ballot/"
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.acknowledged: list[str] = []
        self.unanswered: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        sent = 0
        while not self.done.is_set():
            choice = CHOICES[(self.index + sent) % 3]
            sent += 1
            try:
                connection.request("POST", self.path, json.dumps({"choice": choice}), self.headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                self.unanswered.append(choice)  # the server died with it in flight
                return
            if response.status == 200:
                self.acknowledged.append(choice)
            else:
                self.unanswered.append(choice)
                return


def test_every_acknowledged_ballot_survives_a_kill_9(daphne_factory, community):
    members = [make_member(f"voter{i}") for i in range(VOTERS)]
    vote = voting_now(community["alice"], title="Through kill -9")
    tokens = [Token.objects.create(user=member).key for member in members]
    server = daphne_factory()
    voters = [Voter(i, token, server.port, vote.pk) for i, token in enumerate(tokens)]
    for voter in voters:
        voter.start()
    time.sleep(2.5)
    server.process.kill()  # SIGKILL: no shutdown, no flush, nothing finishes
    server.process.wait(timeout=10)
    for voter in voters:
        voter.done.set()
        voter.join(timeout=15)

    stored = dict(Ballot.objects.filter(proposal=vote).values_list("voter__username", "choice"))
    assert sum(len(voter.acknowledged) for voter in voters) >= 4 * VOTERS, "too few to judge"
    for voter, member in zip(voters, members, strict=True):
        if not voter.acknowledged:
            continue
        kept = stored.get(member.username)
        # The last acknowledged choice, or the one in flight when the server died.
        assert kept in {voter.acknowledged[-1], *voter.unanswered[-1:]}, (
            member.username,
            voter.acknowledged[-3:],
            voter.unanswered,
            kept,
        )
    tally = Proposal.objects.get(pk=vote.pk)
    recount = Counter(stored.values())
    assert [tally.yes_count, tally.no_count, tally.abstain_count] == [
        recount[choice] for choice in CHOICES
    ]

    # A new server takes over the same database and keeps counting.
    again = daphne_factory()
    connection = http.client.HTTPConnection("127.0.0.1", again.port, timeout=10)
    connection.request("POST", voters[0].path, json.dumps({"choice": "yes"}), voters[0].headers)
    assert connection.getresponse().status == 200
